// libFuzzer target for the UDP readers of games.cpp (a2s, bedrock, dht): the first byte
// picks the reader, the rest is the answer.
#include "udp_reader_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = breakwater::probe::udp::detail;
  return breakwater::probe::udp::fuzz::read_input({d::a2s_read, d::bedrock_read, d::dht_read}, data,
                                                  size);
}
