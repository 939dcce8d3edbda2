// Reads what the kernel knows about a failed connect: the ICMP error queued on the socket.
#pragma once

#include "probe/verdict.hpp"

#include <optional>

namespace breakwater::probe {

// Asks the kernel to queue ICMP errors on the socket (IP_RECVERR / IPV6_RECVERR).
bool enable_icmp_errors(int fd, bool v6) noexcept;

// The first ICMP or ICMPv6 error queued on the socket, if one came from the network.
std::optional<icmp_info> read_icmp_error(int fd) noexcept;

// Destination unreachable: ICMP type 3, ICMPv6 type 1.
constexpr bool is_destination_unreachable(const icmp_info& i, bool v6) noexcept {
  return i.type == (v6 ? 1 : 3);
}

}  // namespace breakwater::probe
