// UPnP exposure: SSDP M-SEARCH requests to the target's UDP port 1900, and what answered.
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <functional>

namespace breakwater::probe {

struct upnp_options {
  unsigned tries = 3;
  duration interval = std::chrono::milliseconds(300);
  duration wait = std::chrono::seconds(1);  // after the last request
  std::uint16_t port = 1900;
  // Called when an ICMP error refuses the request, with the first request's send time (the
  // scan counts it against the target's ICMP error limit).
  std::function<void(time_point sent)> on_icmp_error;
};

boost::asio::awaitable<upnp_result> probe_upnp(boost::asio::ip::address target,
                                               upnp_options options = {});

}  // namespace breakwater::probe
