// libFuzzer target for the SOAP answer parser and the port mapping reader: never crashes,
// keeps to its limits.
#include "probe/wire/igd_soap.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = breakwater::probe::parse_soap_answer(text);
  if (!a) return 0;
  if (a->fields.size() > 64) std::abort();
  for (const auto& [name, value] : a->fields) {
    if (name.size() > 512 || value.size() > 512) std::abort();
  }
  if (a->fault && a->fault->description.size() > 512) std::abort();
  (void)breakwater::probe::port_mapping_of(*a);
  return 0;
}
