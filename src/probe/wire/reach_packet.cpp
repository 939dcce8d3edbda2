#include "probe/wire/reach_packet.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <algorithm>

namespace breakwater::probe::reach_wire {
namespace {

using bytes = std::span<const std::uint8_t>;

constexpr std::uint8_t proto_tcp = 6, proto_udp = 17;
// RFC 8200 4: the extension headers a packet to a host may carry before UDP or TCP.
constexpr std::uint8_t hop_by_hop = 0, routing = 43, fragment = 44, auth = 51, dest_opts = 60;
constexpr int max_extension_headers = 8;

std::uint16_t be16(bytes p, std::size_t at) noexcept {
  return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}

// The transport header and payload in `p` (the IP payload, already cut to its stated length).
std::optional<packet_view> transport_of(packet_view v, std::uint8_t proto, bytes p) noexcept {
  if (proto == proto_udp) {
    if (p.size() < 8) return std::nullopt;
    std::size_t length = be16(p, 4);  // RFC 768: header and data
    if (length < 8) return std::nullopt;
    v.transport = reach_transport::udp;
    v.payload = p.subspan(8, std::min(length, p.size()) - 8);
  } else if (proto == proto_tcp) {
    if (p.size() < 20) return std::nullopt;
    std::size_t offset = static_cast<std::size_t>(p[12] >> 4) * 4;  // RFC 9293 3.1
    if (offset < 20 || offset > p.size()) return std::nullopt;
    v.transport = reach_transport::tcp;
    v.payload = p.subspan(offset);
  } else {
    return std::nullopt;
  }
  v.source_port = be16(p, 0);
  v.destination_port = be16(p, 2);
  return v;
}

std::optional<packet_view> parse_v4(bytes p) noexcept {
  if (p.size() < 20) return std::nullopt;
  std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
  std::size_t total = be16(p, 2);
  if (ihl < 20 || ihl > p.size() || total < ihl) return std::nullopt;
  // RFC 791: a fragment offset other than 0 carries no transport header.
  if ((be16(p, 6) & 0x1fff) != 0) return std::nullopt;
  packet_view v;
  std::copy_n(p.begin() + 12, 4, v.source.begin());
  std::copy_n(p.begin() + 16, 4, v.destination.begin());
  bytes body = p.subspan(ihl, std::min(total, p.size()) - ihl);
  return transport_of(v, p[9], body);
}

std::optional<packet_view> parse_v6(bytes p) noexcept {
  if (p.size() < 40) return std::nullopt;
  packet_view v;
  v.v6 = true;
  std::copy_n(p.begin() + 8, 16, v.source.begin());
  std::copy_n(p.begin() + 24, 16, v.destination.begin());
  bytes rest = p.subspan(40, std::min<std::size_t>(be16(p, 4), p.size() - 40));
  std::uint8_t next = p[6];
  for (int i = 0; i < max_extension_headers; ++i) {
    if (next == proto_udp || next == proto_tcp) return transport_of(v, next, rest);
    std::size_t length = 0;
    if (next == hop_by_hop || next == routing || next == dest_opts) {
      if (rest.size() < 2) return std::nullopt;
      length = (static_cast<std::size_t>(rest[1]) + 1) * 8;
    } else if (next == fragment) {
      if (rest.size() < 8 || (be16(rest, 2) & 0xfff8) != 0) return std::nullopt;  // not first
      length = 8;
    } else if (next == auth) {
      if (rest.size() < 2) return std::nullopt;
      length = (static_cast<std::size_t>(rest[1]) + 2) * 4;  // RFC 4302 2.2
    } else {
      return std::nullopt;
    }
    if (length > rest.size()) return std::nullopt;
    next = rest[0];
    rest = rest.subspan(length);
  }
  return std::nullopt;
}

// Classic BPF (Linux's linux/filter.h, from the BSD Packet Filter paper): the opcodes used.
constexpr std::uint16_t ld_b_abs = 0x30, ld_h_abs = 0x28, ld_h_ind = 0x48, ldx_b_msh = 0xb1;
constexpr std::uint16_t alu_and_k = 0x54, jeq_k = 0x15, jset_k = 0x45, ret_k = 0x06;
constexpr std::uint32_t keep_bytes = 0x40000;  // the whole packet

}  // namespace

std::optional<packet_view> parse_packet(std::span<const std::uint8_t> packet) noexcept {
  if (packet.empty()) return std::nullopt;
  switch (packet[0] >> 4) {
    case 4: return parse_v4(packet);
    case 6: return parse_v6(packet);
    default: return std::nullopt;
  }
}

std::string address_text(const std::array<std::uint8_t, 16>& a, bool v6) {
  if (v6) return boost::asio::ip::address_v6(a).to_string();
  return boost::asio::ip::address_v4({a[0], a[1], a[2], a[3]}).to_string();
}

std::vector<bpf_instruction> port_filter(reach_transport transport, std::uint16_t port) {
  std::uint32_t proto = transport == reach_transport::udp ? proto_udp : proto_tcp;
  // A jump goes to the instruction after it plus its offset: 15 accepts, 16 drops.
  return {
      {ld_b_abs, 0, 0, 0},        // 0: A = the first byte (version, IHL)
      {alu_and_k, 0, 0, 0xf0},    // 1: the version
      {jeq_k, 1, 0, 0x40},        // 2: IPv4 -> 4
      {jeq_k, 7, 12, 0x60},       // 3: IPv6 -> 11, anything else drops
      {ld_b_abs, 0, 0, 9},        // 4: IPv4 protocol
      {jeq_k, 0, 10, proto},      // 5
      {ld_h_abs, 0, 0, 6},        // 6: flags and fragment offset
      {jset_k, 8, 0, 0x1fff},     // 7: a later fragment has no port: drop
      {ldx_b_msh, 0, 0, 0},       // 8: X = the IPv4 header's length
      {ld_h_ind, 0, 0, 2},        // 9: A = the destination port
      {jeq_k, 4, 5, port},        // 10
      {ld_b_abs, 0, 0, 6},        // 11: IPv6 next header
      {jeq_k, 0, 3, proto},       // 12
      {ld_h_abs, 0, 0, 40 + 2},   // 13: the destination port after the fixed header
      {jeq_k, 0, 1, port},        // 14
      {ret_k, 0, 0, keep_bytes},  // 15: accept
      {ret_k, 0, 0, 0},           // 16: drop
  };
}

}  // namespace breakwater::probe::reach_wire
