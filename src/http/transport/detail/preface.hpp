// The start of a connection, before any session runs: an optional PROXY protocol header
// and the first bytes of the request or the ClientHello. What follows the header is kept in
// `first` for the session (or TLS). Asio-bound: included only by connection.cpp.
#pragma once

#include "http/http_types.hpp"
#include "http/transport/plain_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>

namespace breakwater::http {

// How the start of a connection looked: ready to serve, not (all) there yet, or unusable.
enum class opening { ready, wait, close };

// One look at the start of the connection, without waiting: a request (or ClientHello)
// that came with its connection costs one receive and no wait.
opening read_opening(boost::asio::ip::tcp::socket& socket, connection_info& conn,
                     bool proxy_listener, boost::beast::flat_buffer& first);

// Waits, at most `limit`, for the start of a TLS connection that did not come with it.
// False: close the connection (malformed, closed, or nothing arrived in time).
boost::asio::awaitable<bool> wait_for_opening(boost::asio::ip::tcp::socket& socket,
                                              connection_info& conn, bool proxy_listener,
                                              std::chrono::milliseconds limit,
                                              boost::beast::flat_buffer& first);

// The same wait for a plain connection, through its stream: one speculative read under the
// stream's deadline, no timer or second operation racing it.
boost::asio::awaitable<bool> wait_for_opening(plain_stream& stream, connection_info& conn,
                                              bool proxy_listener, std::chrono::milliseconds limit,
                                              boost::beast::flat_buffer& first);

}  // namespace breakwater::http
