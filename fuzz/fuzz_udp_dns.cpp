// libFuzzer target for the DNS-format readers: the first byte picks DNS, mDNS or NetBIOS, the
// rest is the answer.
#include "probe/wire/udp/families.hpp"

#include "udp_reader_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace breakwater::probe::udp;
  if (size == 0) return 0;
  static constexpr fuzz::reader readers[] = {detail::dns_read, detail::mdns_read,
                                             detail::netbios_read};
  fuzz::read_all_ways(readers[data[0] % 3], fuzz::as_text(data + 1, size - 1));
  return 0;
}
