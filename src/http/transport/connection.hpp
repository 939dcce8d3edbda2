// One accepted connection, up to its session: who the peer is, the client's share of
// connections, the limits that turn it away, the preface (PROXY header, first bytes), then
// TLS or plain HTTP. Asio-bound: included only by the transport's own .cpp files.
#pragma once

#include "http/transport/detail/worker.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>

namespace breakwater::http {

// How a listener treats the start of its connections.
struct listener_kind {
  bool https = false;
  bool proxy_protocol = false;  // a PROXY header from a trusted peer must come first
};

// Runs the connection on `w`'s context; counted as open until it closes.
void start_connection(worker& w, shared_state& st, listener_kind kind,
                      boost::asio::ip::tcp::socket socket,
                      const boost::asio::ip::tcp::endpoint& peer, std::uint16_t local_port);

}  // namespace breakwater::http
