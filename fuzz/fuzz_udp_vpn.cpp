// libFuzzer target for the UDP readers of vpn.cpp (openvpn, ike, ike_natt, quic, wireguard): the
// first byte picks the reader, the rest is the answer.
#include "udp_reader_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace d = breakwater::probe::udp::detail;
  return breakwater::probe::udp::fuzz::read_input(
      {d::openvpn_read, d::ike_read, d::ike_natt_read, d::quic_read, d::wireguard_read}, data,
      size);
}
