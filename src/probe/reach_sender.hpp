// The server's half of the reach test: sends the message to one address and port, as
// datagrams (UDP) or over a connection (TCP), each step under its own deadline, and stops
// when asked. It sends to the target it is given and nowhere else; the scan service decides
// the target (the requester's own address, under the target policy).
#pragma once

#include "probe/reach.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <functional>
#include <stop_token>
#include <string>

namespace breakwater::probe {

struct reach_send_request {
  boost::asio::ip::address target;
  std::uint16_t port = 0;
  reach_transport transport = reach_transport::udp;
  std::string message;  // reach_message(id, nonce)
  reach_send_options options;
  std::stop_token stop;  // the test was confirmed, expired or the service stops
  // Called on the executor just before each datagram or write leaves (the round trip of the
  // confirmation is timed from the first).
  std::function<void()> on_send;
};

struct reach_send_result {
  unsigned attempts = 0;  // datagrams sent, or connections tried
  reach_delivery delivery = reach_delivery::none;
  std::string detail;  // with failed: what went wrong, for the log and the requester
};

// Completes when every datagram is out (and the short wait for an ICMP error is over), when
// the message was written, when the tries are used up, or soon after a stop request.
boost::asio::awaitable<reach_send_result> send_reach(reach_send_request request);

}  // namespace breakwater::probe
