// What `breakwater reach --watch` reads from a packet socket (AF_PACKET, SOCK_DGRAM: each
// packet from its IP header on): the IPv4 or IPv6 header, then the UDP or TCP header, and the
// payload where the server's nonce is. Every length is checked against the bytes at hand, so
// any input (truncated, lying, hostile) gives an answer or nothing. Also the classic BPF
// program that lets only the watched port's packets reach the socket. No sockets here.
#pragma once

#include "probe/reach.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace breakwater::probe::reach_wire {

struct packet_view {
  std::array<std::uint8_t, 16> source{};  // IPv4 in the first 4 bytes
  std::array<std::uint8_t, 16> destination{};
  bool v6 = false;
  reach_transport transport = reach_transport::udp;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::span<const std::uint8_t> payload;  // inside the input: valid while it is
};

// An IPv4 (RFC 791) or IPv6 (RFC 8200) packet carrying UDP (RFC 768) or TCP (RFC 9293).
// Nothing for other protocols, non-first fragments, or headers that do not fit. IPv6
// extension headers (hop-by-hop, routing, destination options, fragment, AH) are walked.
std::optional<packet_view> parse_packet(std::span<const std::uint8_t> packet) noexcept;

// "192.0.2.1" or "2001:db8::1".
std::string address_text(const std::array<std::uint8_t, 16>& a, bool v6);

// One classic BPF instruction, laid out as Linux's struct sock_filter.
struct bpf_instruction {
  std::uint16_t code = 0;
  std::uint8_t jt = 0;
  std::uint8_t jf = 0;
  std::uint32_t k = 0;
};

// Accepts IPv4 and IPv6 packets of `transport` to destination port `port` (offsets from the
// IP header, as a SOCK_DGRAM packet socket's filter sees them); drops the rest, so the
// program reads only the few packets that matter. IPv6 packets with extension headers are
// dropped too: the server's packets carry none.
std::vector<bpf_instruction> port_filter(reach_transport transport, std::uint16_t port);

}  // namespace breakwater::probe::reach_wire
