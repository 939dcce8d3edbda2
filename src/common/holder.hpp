// Who a per-client limit belongs to: an IPv4 address, or the IPv6 /64 an address is in, since
// one subscriber commonly holds a whole /64 (RFC 6177) and could otherwise spread its use over
// as many addresses as it likes. IPv6 has a wider tier as well, the /48 (one site, RFC 6177's
// old advice): it may use wide_tier_factor times what one /64 may, so that the many /64s of
// one site do not multiply a limit without bound. Connections, running scans, probe budgets,
// kept results and reach tests count against both holders; event streams against the /64
// (each stream is a connection, which the /48 tier bounds).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::common {

inline constexpr unsigned holder_v6_prefix = 64;
inline constexpr unsigned wide_v6_prefix = 48;

// An IPv6 /48 may hold, run and probe this many times what one /64 may.
inline constexpr std::size_t wide_tier_factor = 4;

// "198.18.0.2" (an IPv4-mapped address as the IPv4 address it carries) or "2001:db8:1:2::/64";
// with `v6_prefix` 48, "2001:db8:1::/48". A zone is no part of it: every link-local peer of
// every link is one holder, fe80::/64. Text that is no address comes back unchanged.
std::string holder_of(std::string_view address, unsigned v6_prefix = holder_v6_prefix);

// The /48 an IPv6 address counts against as well; empty for IPv4 and for text that is no
// address (they have no wider tier).
std::string wide_holder_of(std::string_view address);

// Both tiers an address counts against, from one parse of it (the accept path asks for both):
// holder_of(address) and wide_holder_of(address); nothing for text that is no address.
struct holders {
  std::string holder;
  std::string wide;
};
std::optional<holders> holders_of(std::string_view address);

}  // namespace breakwater::common
