// The receiving half of `breakwater reach`, on the machine the forward should reach: it is
// ready before the test is asked for, then waits for the server's message with the test's
// id and hands over the nonce. Two ways:
//  - listen: binds the port itself (the real service stopped): a UDP socket, or a TCP
//    listener that reads what the server writes;
//  - watch: the real service keeps the port, and a packet socket (AF_PACKET, root or
//    CAP_NET_RAW) sees the test's packets arrive; a classic BPF filter lets only that
//    port's packets through.
#pragma once

#include "probe/reach.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::app {

struct received_nonce {
  std::string nonce;
  std::string from;  // the address the message came from (the server's, as it arrived)
};

class reach_receiver {
 public:
  virtual ~reach_receiver() = default;
  // The nonce of test `id` when its message arrives before `deadline`; other traffic (and
  // other tests' messages) is passed over.
  virtual std::optional<received_nonce> wait(std::string_view id,
                                             std::chrono::steady_clock::time_point deadline) = 0;
};

using opened_receiver = boost::system::result<std::unique_ptr<reach_receiver>, std::string>;

// The port bound on every address (IPv6 and IPv4). The error says what was wrong and what
// to do (the port is taken: stop the service or use --watch; a low port needs privilege).
opened_receiver open_listener(probe::reach_transport transport, std::uint16_t port);

// A packet socket for the port's packets. The error says when the privilege is missing.
opened_receiver open_watcher(probe::reach_transport transport, std::uint16_t port);

}  // namespace breakwater::app
