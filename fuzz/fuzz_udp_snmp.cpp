// libFuzzer target for the SNMP reader (and the BER decoder under it).
#include "probe/wire/udp/families.hpp"

#include "udp_reader_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace breakwater::probe::udp;
  fuzz::read_all_ways(detail::snmp_read, fuzz::as_text(data, size));
  return 0;
}
