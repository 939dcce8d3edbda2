#include "site/visitor.hpp"

#include "http/client_address.hpp"

namespace breakwater::site {

std::optional<scan::visitor> visitor_of(const request& req) {
  auto address = client_address(req);
  if (!address) return std::nullopt;
  scan::visitor v;
  v.address = std::move(*address);
  // The kernel's RTT is of the proxy's connection when a proxy is in between: unknown then.
  if (client_is_peer(req)) v.rtt_us = measure_rtt_us(*req.conn);
  return v;
}

}  // namespace breakwater::site
