// Address normalisation shared by every layer: an IPv4 client that reached a dual-stack
// socket shows up as ::ffff:a.b.c.d, and must be treated (probed, counted, logged) as the
// IPv4 address it is. Header-only; users link Asio's compiled part (bw_asio) anyway.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <string_view>

namespace breakwater::common {

// An IPv4-mapped IPv6 address as the IPv4 address it carries; any other address unchanged.
inline boost::asio::ip::address unmapped(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

// Where an address lives, for telling a visitor what a result from it means.
enum class address_scope {
  global,      // on the internet
  shared,      // 100.64.0.0/10, carrier-grade NAT's shared space (RFC 6598)
  private_use, // 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (RFC 4193)
  link_local,  // 169.254/16, fe80::/10
  loopback,    // 127/8, ::1
};

inline address_scope scope_of(const boost::asio::ip::address& address) {
  boost::asio::ip::address a = unmapped(address);
  if (a.is_loopback()) return address_scope::loopback;
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    if (b[0] == 100 && (b[1] & 0xc0) == 64) return address_scope::shared;
    if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
      return address_scope::private_use;
    if (b[0] == 169 && b[1] == 254) return address_scope::link_local;
    return address_scope::global;
  }
  auto b = a.to_v6().to_bytes();
  if ((b[0] & 0xfe) == 0xfc) return address_scope::private_use;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return address_scope::link_local;
  return address_scope::global;
}

inline std::string_view to_string(address_scope s) noexcept {
  switch (s) {
    case address_scope::global: return "global";
    case address_scope::shared: return "shared";
    case address_scope::private_use: return "private";
    case address_scope::link_local: return "link-local";
    case address_scope::loopback: return "loopback";
  }
  return "global";
}

}  // namespace breakwater::common
