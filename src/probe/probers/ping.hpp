// ICMP echo ("ping"): does the target answer? Tries a raw ICMP socket, then a ping socket.
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <functional>

namespace breakwater::probe {

struct ping_options {
  unsigned count = 3;
  duration interval = std::chrono::milliseconds(250);
  duration wait = std::chrono::seconds(1);  // after the last request
  // Called for each ICMP error that answers one of our requests, with that request's send
  // time (the scan counts it against the target's ICMP error limit).
  std::function<void(time_point sent)> on_icmp_error;
};

boost::asio::awaitable<ping_result> ping_target(boost::asio::ip::address target,
                                                ping_options options = {});

}  // namespace breakwater::probe
