// The server's state as its parts share it: one worker per thread (its io_context, its
// acceptors, its running sessions) and what every worker shares. Asio-bound: included only
// by the transport's own .cpp files.
#pragma once

#include "http/client_slots.hpp"
#include "http/host_rules.hpp"
#include "http/responder.hpp"
#include "http/transport/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace breakwater::http {

class session_base;  // http_session.hpp

// One thread's share of the server. Everything in it is touched by that thread only,
// except `stopping`, which is set through a post() onto its own context.
struct worker {
  boost::asio::io_context ioc{1};
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors;
  std::unique_ptr<responder> respond;
  session_base* sessions = nullptr;  // head of the intrusive list of running sessions
  bool stopping = false;
  std::size_t index = 0;
};

// What every worker shares: the server's parts, the Host rules, every client's share of
// connections and the count of open connections.
struct shared_state {
  explicit shared_state(server_parts& p)
      : parts(p), hosts(p.config.server_names), slots(p.config.limits.max_connections_per_client) {}
  server_parts& parts;
  host_rules hosts;
  client_slots slots;
  std::atomic<std::size_t> open{0};
};

}  // namespace breakwater::http
