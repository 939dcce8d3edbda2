// ICMP echo requests and what answers them, as bytes: what ping sends and reads back. No
// sockets here, so the parsers and the matching rules are unit-tested and fuzzed on their own.
//
// Anyone who can send packets to this host can send an echo reply "from" the target. So each
// run of pings carries a random identifier, a random first sequence number and a random
// 16-byte cookie as its data; a reply counts only if it echoes all three (RFC 1122 3.2.2.6:
// the data is returned unchanged). With a ping socket the kernel picks the identifier.
#pragma once

#include "probe/wire/raw_packet.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace breakwater::probe::echo {

constexpr std::size_t cookie_size = 16;
using cookie = std::array<std::uint8_t, cookie_size>;

// What one run of pings sends: requests first_seq, first_seq + 1... (mod 2^16).
struct run_fields {
  bool v6 = false;
  std::uint16_t id = 0;
  std::uint16_t first_seq = 0;
  cookie data{};
};

// The `index`-th request: the ICMP message alone (the kernel adds the IP header, and sums
// ICMPv6 itself).
std::vector<std::uint8_t> build_request(const run_fields& run, std::uint16_t index);

// The fields of an echo reply or a quoted echo request.
struct echo_fields {
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
  std::span<const std::uint8_t> data;  // into the parsed message
};

// An echo reply: the ICMP(v6) message itself (IPv4 raw sockets: skip the IP header first).
std::optional<echo_fields> parse_reply(std::span<const std::uint8_t> message, bool v6) noexcept;

// The request a reply answers: its index in the run, if the reply echoes the run's sequence
// numbers and cookie (and the identifier, when `check_id`: not with a ping socket, whose
// identifier the kernel sets, and whose replies it hands only to that socket).
std::optional<std::uint16_t> answered_index(const echo_fields& reply, const run_fields& run,
                                            std::uint16_t sent, bool check_id) noexcept;

// A destination-unreachable quoting an echo request: where the request went and its fields
// (routers quote 8 bytes of it, so no cookie here).
struct quoted_request {
  raw::ip_bytes target;
  echo_fields request;
};
std::optional<quoted_request> parse_unreachable(std::span<const std::uint8_t> message,
                                                bool v6) noexcept;

// The index of the request an unreachable quotes, if it is one of the run's to `target`.
std::optional<std::uint16_t> quoted_index(const quoted_request& q, const raw::ip_bytes& target,
                                          const run_fields& run, std::uint16_t sent,
                                          bool check_id) noexcept;

// An echo request's header and data: what a ping socket's error queue returns of the request
// an ICMP error quotes.
std::optional<echo_fields> parse_request(std::span<const std::uint8_t> message, bool v6) noexcept;

}  // namespace breakwater::probe::echo
