#include "http/transport/listener.hpp"

#include "http/error.hpp"
#include "http/transport/connection.hpp"

#include <fmt/format.h>
#include <netinet/tcp.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
using defer_accept = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_DEFER_ACCEPT>;

boost::system::error_code open_acceptor(worker& w, const listener& l, const limits& lim) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(l.address.host, ec);
  if (ec) return errc::bad_listen_address;
  tcp::endpoint endpoint(address, l.address.port);
  auto a = std::make_unique<tcp::acceptor>(w.ioc);
  a->open(endpoint.protocol(), ec);
  if (!ec) a->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a->set_option(reuse_port(true), ec);
  if (!ec && address.is_v6()) a->set_option(asio::ip::v6_only(true), ec);
  // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one call, not one per
  // connection. Responses go out in one write, so Nagle's delay would only cost latency.
  if (!ec) a->set_option(tcp::no_delay(true), ec);
  if (!ec && lim.defer_accept) {
    // In whole seconds; past it the kernel passes the connection on anyway, and the idle
    // timeout takes over.
    auto held = std::chrono::ceil<std::chrono::seconds>(lim.header_timeout).count();
    a->set_option(defer_accept(static_cast<int>(held)), ec);
  }
  if (!ec) a->bind(endpoint, ec);
  if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  w.acceptors.push_back(std::move(a));
  return {};
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, listener_kind kind, worker& w,
                                  shared_state& st) {
  const std::uint16_t local_port = acceptor.local_endpoint().port();
  for (;;) {
    tcp::socket socket(w.ioc);
    tcp::endpoint peer;  // filled by accept itself: no getpeername per connection
    auto [ec] = co_await acceptor.async_accept(socket, peer, asio::as_tuple(asio::use_awaitable));
    if (w.stopping || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or a similar passing trouble: wait a little instead of spinning.
      st.parts.log.message(log_level::warn, fmt::format("accept failed: {}", ec.message()));
      asio::steady_timer pause(w.ioc, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    start_connection(w, st, kind, std::move(socket), peer, local_port);
  }
}

}  // namespace

std::vector<listener> listeners_of(const server_options& cfg) {
  std::vector<listener> out;
  for (const listen_address& a : cfg.http) out.push_back({a, false});
  for (const listen_address& a : cfg.https) out.push_back({a, true});
  return out;
}

boost::system::error_code check_free(asio::io_context& ioc, const listener& l) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(l.address.host, ec);
  if (ec) return errc::bad_listen_address;
  tcp::endpoint endpoint(address, l.address.port);
  tcp::acceptor probe(ioc);
  probe.open(endpoint.protocol(), ec);
  if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && address.is_v6()) probe.set_option(asio::ip::v6_only(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  return ec;
}

boost::system::error_code start_listening(worker& w, shared_state& st, const listener& l) {
  if (auto ec = open_acceptor(w, l, st.parts.config.limits)) return ec;
  listener_kind kind{l.https, l.address.proxy_protocol};
  asio::co_spawn(w.ioc, accept_loop(*w.acceptors.back(), kind, w, st), asio::detached);
  return {};
}

}  // namespace breakwater::http
