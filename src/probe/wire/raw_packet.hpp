// TCP SYNs and the answers to them as bytes: what the raw-SYN prober sends and reads back.
// No sockets here, so the parsers are unit-tested and fuzzed on their own.
#pragma once

#include "probe/detail/keyed_hash.hpp"
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

// The sequence number for a SYN with `f`'s addresses and ports (f.seq is not read): a keyed
// hash of them and of `nonce` (the prober's: a scan's series). Without the key, nobody can
// tell the numbers in advance, so an answer that acknowledges one was sent by someone who saw
// our SYN.
std::uint32_t syn_sequence(const siphash_key& key, const syn_fields& f,
                           std::uint64_t nonce) noexcept;

// The number of a port's try `k` (from 0) in a series whose first try carries `first`: first
// + k x 0x9e3779b9 (2^32 over the golden ratio). Among a port's first 4,096 tries, each
// later try's number lies more than 2^20 past every earlier one's (counting up, modulo 2^32),
// so a new SYN never falls inside the receive window of an earlier one of the series that the
// port holds half-open, where Linux would drop the held one and answer with a reset (an open
// port called closed). An observer who knows `first` has seen our first SYN.
std::uint32_t nth_sequence(std::uint32_t first, std::uint32_t k) noexcept;
// The inverse: the k for which nth_sequence(first, k) is `seq`.
std::uint32_t sequence_index(std::uint32_t first, std::uint32_t seq) noexcept;

// A TCP segment that answers a SYN. `ack` is our seq + 1.
struct tcp_answer {
  enum class kind : std::uint8_t {
    syn_ack,  // open
    reset,    // closed
    // A bare ACK (no SYN, RST or FIN): the port holds an earlier SYN of ours half-open, its
    // SYN-ACK lost, and acknowledges that SYN again when a new one comes on the same ports
    // with a number outside its window (RFC 9293 3.10.7.4; RFC 5961 4's challenge ACK; see
    // nth_sequence). Open.
    ack,
  };
  ip_bytes from;
  std::uint16_t from_port = 0;  // the probed port
  std::uint16_t to_port = 0;    // our source port
  std::uint32_t ack = 0;
  kind what = kind::reset;
  std::optional<ip_bytes> to;  // the address it was sent to: IPv4 only (IPv6 sockets hide it)
};

// Whether `a` answers the SYN `sent`: from its target and port, to its source address and
// port, acknowledging exactly its sequence number. RFC 9293 3.10.7.3: in SYN-SENT an ACK is
// acceptable only if it is ISS + 1, and a reset counts only with an acceptable ACK.
bool answers(const tcp_answer& a, const syn_fields& sent) noexcept;

// IPv4 raw sockets hand over the whole IP packet.
std::optional<tcp_answer> parse_tcp_v4(std::span<const std::uint8_t> packet) noexcept;
// IPv6 raw sockets hand over the TCP segment alone; the sender comes from recvfrom().
std::optional<tcp_answer> parse_tcp_v6(std::span<const std::uint8_t> segment,
                                       const ip_bytes& from) noexcept;

// An ICMP destination-unreachable quoting one of our SYNs.
struct icmp_answer {
  icmp_info info;
  ip_bytes source;  // the quoted packet's source: ours, if it quotes one of our SYNs
  ip_bytes target;  // the quoted packet's destination
  std::uint16_t source_port = 0;
  std::uint16_t target_port = 0;
  std::uint32_t seq = 0;
};

// IPv4: the whole IP packet carrying the ICMP message.
std::optional<icmp_answer> parse_icmp_v4(std::span<const std::uint8_t> packet) noexcept;
// IPv6: the ICMPv6 message alone (raw IPv6 sockets strip the IP header).
std::optional<icmp_answer> parse_icmp_v6(std::span<const std::uint8_t> message) noexcept;

// Whether `a` quotes the SYN `sent`: its source and target, both ports and its sequence
// number. Anyone can send an unreachable; only a router or host that saw the SYN can quote it.
bool quotes(const icmp_answer& a, const syn_fields& sent) noexcept;

}  // namespace breakwater::probe::raw
