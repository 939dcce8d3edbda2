// libFuzzer target for the UDP readers of sip.cpp (sip): the first byte
// picks the reader, the rest is the answer.
#include "udp_reader_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = breakwater::probe::udp::detail;
  return breakwater::probe::udp::fuzz::read_input({d::sip_read}, data, size);
}
