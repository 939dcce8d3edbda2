// TCP SYNs and the answers to them as bytes: what the raw-SYN prober sends and reads back.
// No sockets here, so the parsers are unit-tested and fuzzed on their own.
#pragma once

#include "probe/verdict.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace breakwater::probe::raw {

// An IPv4 address fills the first 4 bytes; `v6` tells them apart.
struct ip_bytes {
  std::array<std::uint8_t, 16> b{};
  bool v6 = false;
  friend bool operator==(const ip_bytes&, const ip_bytes&) = default;
};

ip_bytes to_bytes(const boost::asio::ip::address& a) noexcept;

struct syn_fields {
  ip_bytes source;
  ip_bytes target;
  std::uint16_t source_port = 0;
  std::uint16_t target_port = 0;
  std::uint32_t seq = 0;
};

// A 24-byte TCP header (SYN, MSS option) with its checksum over the pseudo-header; the kernel
// adds the IP header (raw socket without IP_HDRINCL).
constexpr std::size_t syn_size = 24;
std::array<std::uint8_t, syn_size> build_syn(const syn_fields& f) noexcept;

// A TCP segment that answers a SYN: SYN-ACK (open) or RST (closed). `ack` is our seq + 1.
struct tcp_answer {
  ip_bytes from;
  std::uint16_t from_port = 0;  // the probed port
  std::uint16_t to_port = 0;    // our source port
  std::uint32_t ack = 0;
  bool syn_ack = false;  // else a reset
};

// IPv4 raw sockets hand over the whole IP packet.
std::optional<tcp_answer> parse_tcp_v4(std::span<const std::uint8_t> packet) noexcept;
// IPv6 raw sockets hand over the TCP segment alone; the sender comes from recvfrom().
std::optional<tcp_answer> parse_tcp_v6(std::span<const std::uint8_t> segment,
                                       const ip_bytes& from) noexcept;

// An ICMP destination-unreachable quoting one of our SYNs.
struct icmp_answer {
  icmp_info info;
  ip_bytes target;  // the quoted packet's destination
  std::uint16_t source_port = 0;
  std::uint16_t target_port = 0;
  std::uint32_t seq = 0;
};

// IPv4: the whole IP packet carrying the ICMP message.
std::optional<icmp_answer> parse_icmp_v4(std::span<const std::uint8_t> packet) noexcept;
// IPv6: the ICMPv6 message alone (raw IPv6 sockets strip the IP header).
std::optional<icmp_answer> parse_icmp_v6(std::span<const std::uint8_t> message) noexcept;

}  // namespace breakwater::probe::raw
