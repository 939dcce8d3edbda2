// ICMP echo ("ping"): does the target answer? Tries a raw ICMP socket, then a ping socket.
#pragma once

#include "probe/clock.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <functional>

namespace breakwater::probe {

struct ping_options {
  unsigned count = 3;
  duration interval = std::chrono::milliseconds(250);
  duration wait = std::chrono::seconds(1);  // after the last request
  // Called as each request goes out (the scan counts them against the target's ICMP limit).
  std::function<void()> on_send;
};

boost::asio::awaitable<ping_result> ping_target(boost::asio::ip::address target,
                                                ping_options options = {});

}  // namespace breakwater::probe
