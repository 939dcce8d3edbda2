// libFuzzer target for the port-set parser: never crashes, errors point inside the input, and
// what parses prints back to a spec that parses to the same set.
#include "probe/port_set.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view spec(reinterpret_cast<const char*>(data), size);
  auto set = breakwater::probe::parse_port_set(spec);
  if (!set) {
    if (set.error().position > spec.size() || set.error().message.empty()) std::abort();
    return 0;
  }
  auto again = breakwater::probe::parse_port_set(set->to_string());
  if (!again || !(*again == *set)) std::abort();
  return 0;
}
