// The listening side of the server: which addresses it listens on, and per worker one
// SO_REUSEPORT acceptor per address with its accept loop. Asio-bound: included only by the
// transport's own .cpp files.
#pragma once

#include "http/listen_address.hpp"
#include "http/options.hpp"
#include "http/transport/detail/worker.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <vector>

namespace breakwater::http {

struct listener {
  listen_address address;
  bool https = false;
};

// The HTTP listeners, then the HTTPS ones.
std::vector<listener> listeners_of(const server_options& cfg);

// A plain bind, which fails with "address in use" whenever anyone holds the address:
// SO_REUSEPORT would let a second breakwater bind it and silently share its traffic.
boost::system::error_code check_free(boost::asio::io_context& ioc, const listener& l);

// Opens `w`'s acceptor for `l` and starts accepting on it; each connection accepted runs on
// `w`'s context.
boost::system::error_code start_listening(worker& w, shared_state& st, const listener& l);

}  // namespace breakwater::http
