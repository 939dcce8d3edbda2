// libFuzzer target for the IANA CSV importer: never crashes, and what it writes reads back.
#include "db/iana_registry.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = breakwater::db::parse_iana_csv(text, "fuzz.csv");
  if (!first) return 0;
  auto second =
      breakwater::db::parse_iana_csv(breakwater::db::write_iana_csv(first->rows), "w.csv");
  if (!second || !second->problems.empty() || second->rows.size() != first->rows.size()) {
    std::abort();  // the writer produced something the reader does not take back
  }
  return 0;
}
