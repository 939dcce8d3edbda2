// The ICMP errors the kernel queues on a socket that asked for them (ip(7) IP_RECVERR,
// ipv6(7) IPV6_RECVERR; read with MSG_ERRQUEUE): one reader for the probers and for the
// command line's own sockets (`breakwater nat`'s hop probes). No Asio I/O: the socket is a
// plain descriptor, whoever owns it.
#pragma once

#include "probe/verdict.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace breakwater::probe {

// Asks the kernel to queue ICMP errors on the socket (IP_RECVERR / IPV6_RECVERR).
bool enable_icmp_errors(int fd, bool v6) noexcept;

// An ICMP error with what it says about the datagram that drew it. On a socket that is not
// connected, the kernel queues an error quoting ANY destination from the socket's port, so
// the reader must check that it is about a datagram it sent.
struct queued_icmp_error {
  icmp_info icmp;
  bool from_network = false;             // an ICMP error, not one of this host's own
  boost::asio::ip::address destination;  // where the quoted datagram was going
  std::uint16_t port = 0;                // its destination port (UDP; 0 for a ping socket)
  boost::asio::ip::address offender;     // who sent the error (SO_EE_OFFENDER), if given
  // The quoted datagram past its transport header (UDP: the payload; a ping socket: from the
  // echo request's own header), cut to the first bytes.
  std::array<std::uint8_t, 64> quoted{};
  std::size_t quoted_size = 0;

  std::span<const std::uint8_t> quoted_bytes() const noexcept {
    return {quoted.data(), quoted_size};
  }
};

// Takes the first error queued on the socket, whatever its origin (see from_network), without
// waiting; nothing when the queue is empty.
std::optional<queued_icmp_error> read_queued_icmp_error(int fd) noexcept;

// The first ICMP or ICMPv6 error queued on the socket, if one came from the network.
std::optional<icmp_info> read_icmp_error(int fd) noexcept;

// Destination unreachable: ICMP type 3, ICMPv6 type 1.
constexpr bool is_destination_unreachable(const icmp_info& i, bool v6) noexcept {
  return i.type == (v6 ? 1 : 3);
}

}  // namespace breakwater::probe
