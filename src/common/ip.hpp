// Address normalisation shared by every layer: an IPv4 client that reached a dual-stack
// socket shows up as ::ffff:a.b.c.d, and must be treated (probed, counted, logged) as the
// IPv4 address it is. Header-only; users link Asio's compiled part (bw_asio) anyway.
#pragma once

#include <boost/asio/ip/address.hpp>

namespace breakwater::common {

// An IPv4-mapped IPv6 address as the IPv4 address it carries; any other address unchanged.
inline boost::asio::ip::address unmapped(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

}  // namespace breakwater::common
