// libFuzzer target for the IANA CSV reader: never crashes, and every row it keeps is sound.
#include "db/iana_registry.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = breakwater::db::parse_iana_csv(text, "fuzz.csv");
  if (!parsed) return 0;
  for (const breakwater::db::iana_row& r : parsed->rows) {
    // The database indexes rows by these promises: a range runs forwards, a row without a
    // port has a name, and every kept row says where it stood.
    if (r.port_lo > r.port_hi || (!r.has_port && r.service.empty()) || r.line == 0) std::abort();
  }
  return 0;
}
