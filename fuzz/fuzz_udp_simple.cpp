// libFuzzer target for the UDP readers of simple.cpp (echo, qotd, chargen, tftp, generic): the
// first byte picks the reader, the rest is the answer.
#include "udp_reader_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = breakwater::probe::udp::detail;
  return breakwater::probe::udp::fuzz::read_input(
      {d::echo_read, d::qotd_read, d::chargen_read, d::tftp_read, d::generic_read}, data, size);
}
