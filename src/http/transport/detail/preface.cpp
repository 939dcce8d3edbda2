#include "http/transport/detail/preface.hpp"

#include "http/proxy_protocol.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string_view>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// What `first` holds so far. On a listener marked for the PROXY protocol the connection
// must begin with a PROXY header (v1 or v2; the peer was checked to be a trusted proxy
// before anything was read): it is taken off and names the client, or (UNKNOWN, LOCAL)
// leaves no known client. Anywhere else the bytes are not looked at: a PROXY line there is
// the start of a bad request. What follows the header stays for the session (or TLS).
opening parse_opening(connection_info& conn, bool proxy_listener, beast::flat_buffer& first) {
  if (!proxy_listener) return opening::ready;
  auto data = first.cdata();
  proxy_parse p =
      parse_proxy_header(std::string_view(static_cast<const char*>(data.data()), data.size()));
  switch (p.status) {
    case proxy_status::none:
    case proxy_status::invalid: return opening::close;
    case proxy_status::incomplete: return opening::wait;
    case proxy_status::ok: break;
  }
  first.consume(p.header.length);
  conn.proxy_peer = conn.client_address;
  if (p.header.has_address) {
    conn.client_address = p.header.source;
    conn.client_port = p.header.source_port;
  } else {
    conn.client_known = false;
  }
  return opening::ready;
}

}  // namespace

opening read_opening(tcp::socket& socket, connection_info& conn, bool proxy_listener,
                     beast::flat_buffer& first) {
  boost::system::error_code ec;
  std::size_t n = socket.receive(first.prepare(4096), 0, ec);
  if (ec == asio::error::would_block) return opening::wait;
  if (ec || n == 0) return opening::close;  // closed before a byte, or failed
  first.commit(n);
  return parse_opening(conn, proxy_listener, first);
}

asio::awaitable<bool> wait_for_opening(tcp::socket& socket, connection_info& conn,
                                       bool proxy_listener, std::chrono::milliseconds limit,
                                       beast::flat_buffer& first) {
  using namespace asio::experimental::awaitable_operators;
  constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer timer(socket.get_executor(), limit);
  for (;;) {
    // Everything that had arrived was read, so readiness means new bytes (a PROXY header
    // that came in pieces, or the ClientHello).
    auto r = co_await (socket.async_wait(tcp::socket::wait_read, tuple) || timer.async_wait(tuple));
    if (r.index() == 1) co_return false;
    auto [waited] = std::get<0>(r);
    if (waited) co_return false;
    opening o = read_opening(socket, conn, proxy_listener, first);
    if (o != opening::wait) co_return o == opening::ready;
  }
}

asio::awaitable<bool> wait_for_opening(plain_stream& stream, connection_info& conn,
                                       bool proxy_listener, std::chrono::milliseconds limit,
                                       beast::flat_buffer& first) {
  stream.expires_after(limit);
  for (;;) {
    auto [ec, n] =
        co_await stream.async_read_some(first.prepare(4096), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) co_return false;
    first.commit(n);
    opening o = parse_opening(conn, proxy_listener, first);
    if (o != opening::wait) co_return o == opening::ready;
  }
}

}  // namespace breakwater::http
