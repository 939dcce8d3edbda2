#include "http/transport/server.hpp"

#include "common/ip.hpp"

#include "http/client_slots.hpp"
#include "http/error.hpp"
#include "http/host_rules.hpp"
#include "http/proxy_protocol.hpp"
#include "http/transport/http_session.hpp"
#include "http/transport/plain_stream.hpp"
#include "http/transport/tls.hpp"
#include "http/transport/tls_stream.hpp"

#include <fmt/format.h>
#include <netinet/tcp.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include <atomic>
#include <thread>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
using defer_accept = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_DEFER_ACCEPT>;

struct listener {
  listen_address address;
  bool https = false;
};

// How a listener treats the start of its connections.
struct listener_kind {
  bool https = false;
  bool proxy_protocol = false;  // a PROXY header from a trusted peer must come first
};

// One thread's share of the server. Everything in it is touched by that thread only,
// except `stopping`, which is set through a post() onto its own context.
struct worker {
  asio::io_context ioc{1};
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::unique_ptr<responder> respond;
  session_base* sessions = nullptr;  // head of the intrusive list of running sessions
  bool stopping = false;
  std::size_t index = 0;
};

struct shared_state {
  explicit shared_state(server_parts& p)
      : parts(p), hosts(p.config.server_names), slots(p.config.limits.max_connections_per_client) {}
  server_parts& parts;
  host_rules hosts;
  client_slots slots;
  std::atomic<std::size_t> open{0};
};

// Dotted quad without inet_ntop, whose sprintf showed up in the cost of every connection.
std::string dotted(const asio::ip::address_v4& a) {
  std::string out;
  out.reserve(15);
  for (unsigned char byte : a.to_bytes()) {
    if (!out.empty()) out.push_back('.');
    if (byte >= 100) out.push_back(static_cast<char>('0' + byte / 100));
    if (byte >= 10) out.push_back(static_cast<char>('0' + byte / 10 % 10));
    out.push_back(static_cast<char>('0' + byte % 10));
  }
  return out;
}

std::string normalised(const asio::ip::address& a) {
  asio::ip::address u = common::unmapped(a);
  return u.is_v4() ? dotted(u.to_v4()) : u.to_string();
}

connection_info describe(tcp::socket& s, const tcp::endpoint& peer, std::uint16_t local_port,
                         bool https, const cert_info& cert) {
  connection_info c;
  c.https = https;
  c.client_address = normalised(peer.address());
  c.client_port = peer.port();
  c.local_port = local_port;
  c.native_socket = s.native_handle();
  if (https) c.cert = &cert;
  return c;
}

// How the start of a connection looked: ready to serve, not (all) there yet, or unusable.
enum class opening { ready, wait, close };

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

// One look at the start of the connection, without waiting: a request (or ClientHello)
// that came with its connection costs one receive and no wait.
opening read_opening(tcp::socket& socket, connection_info& conn, bool proxy_listener,
                     beast::flat_buffer& first) {
  boost::system::error_code ec;
  std::size_t n = socket.receive(first.prepare(4096), 0, ec);
  if (ec == asio::error::would_block) return opening::wait;
  if (ec || n == 0) return opening::close;  // closed before a byte, or failed
  first.commit(n);
  return parse_opening(conn, proxy_listener, first);
}

// Waits, at most `limit`, for the start of a TLS connection that did not come with it.
// False: close the connection (malformed, closed, or nothing arrived in time).
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

// Keeps a session in its worker's registry while it runs, so shutdown can reach it.
struct registration {
  worker& w;
  session_base* s;
  registration(worker& wk, session_base* sb) : w(wk), s(sb) {
    s->next = w.sessions;
    if (w.sessions != nullptr) w.sessions->prev = s;
    w.sessions = s;
  }
  ~registration() {
    if (s->prev != nullptr) s->prev->next = s->next;
    if (s->next != nullptr) s->next->prev = s->prev;
    if (w.sessions == s) w.sessions = s->next;
  }
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;
};

// Returns whether the client may have sent input that was never read (see
// http_session::may_leave_input).
template <class Stream>
asio::awaitable<bool> serve(Stream& stream, worker& w, shared_state& st, connection_info& conn,
                            bool busy, beast::flat_buffer first = {}) {
  const limits& lim = st.parts.config.limits;
  session_env env{*w.respond, &st.parts.stats, &st.parts.log, lim, w.index, w.stopping};
  http_session<Stream> session(stream, env, conn, std::move(first));
  if (busy) {
    std::string head;
    reply r = w.respond->respond_error(503, conn.https, head);
    std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(r.body)};
    stream.expires_after(lim.header_timeout);
    co_await asio::async_write(stream, out, asio::as_tuple(asio::use_awaitable));
    st.parts.stats.on_rejected_connection(w.index);
    co_return true;
  }
  registration reg(w, &session);
  co_await session.run();
  co_return session.may_leave_input();
}

// The same wait for a plain connection, through its stream: one speculative read under the
// stream's deadline, no timer or second operation racing it.
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

// The client's share of connections: not counted for trusted proxies (every visitor behind
// them shares their address), nor when nobody said who the client is.
client_slot take_slot(shared_state& st, const connection_info& conn) {
  if (!conn.client_known || st.parts.config.trust.trusted_proxies.contains(conn.client_address)) {
    return {};
  }
  return client_slot(st.slots, client_slots::key_of(conn.client_address));
}

// `slot`: the client's share, taken before anything was read (on a PROXY listener the client
// is known only after the header: taken here then). A client over its share is answered 503
// at once, without waiting for its request.
asio::awaitable<void> plain_connection(tcp::socket socket, connection_info conn, worker& w,
                                       shared_state& st, bool busy, beast::flat_buffer first,
                                       bool started, bool proxy_listener, client_slot slot) {
  boost::system::error_code ec;
  plain_stream stream(std::move(socket));  // non-blocking since connection()
  if (!started && !slot.over()) {
    bool go = co_await wait_for_opening(stream, conn, proxy_listener,
                                        st.parts.config.limits.idle_timeout, first);
    if (!go) co_return;
  }
  if (proxy_listener) slot = take_slot(st, conn);
  bool unread = co_await serve(stream, w, st, conn, busy || slot.over(), std::move(first));
  // FIN before close when input may be left unread (after a 431 or 413, say): close() alone
  // would send a reset that can destroy the answer before the client reads it.
  if (unread) stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> tls_connection(tcp::socket socket, connection_info conn, worker& w,
                                     shared_state& st, bool busy, beast::flat_buffer first) {
  tls_stream stream(std::move(socket), st.parts.tls->native_handle());
  stream.preload(first.cdata());
  constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
  stream.expires_after(st.parts.config.limits.header_timeout);
  auto [ec, n] = co_await stream.async_handshake(tuple);
  st.parts.stats.on_tls_handshake(w.index, !ec);
  if (ec) {
    st.parts.log.message(log_level::debug, fmt::format("TLS handshake with {} failed: {}",
                                                       conn.client_address, ec.message()));
    co_return;
  }
  tls_info tls = read_tls_info(stream.native_handle());
  conn.tls = &tls;
  bool unread = co_await serve(stream, w, st, conn, busy);
  // The last answer may still wait in the stream's output: it leaves with the close_notify,
  // in one send, under the idle timeout (a slow link needs more than a second).
  stream.expires_after(st.parts.config.limits.idle_timeout);
  co_await stream.async_shutdown(tuple);
  if (unread) stream.shutdown_send();  // as for plain connections, see plain_connection
}

// Counts a connection as open for as long as it lives, however its coroutine ends (an
// exception would otherwise leave it counted, and the server busy for good).
struct open_connection {
  shared_state& st;
  std::size_t worker;
  bool busy;
  open_connection(shared_state& s, std::size_t w)
      : st(s),
        worker(w),
        busy(s.open.fetch_add(1, std::memory_order_relaxed) >=
             s.parts.config.limits.max_connections) {
    st.parts.stats.on_connection(worker, +1);
  }
  ~open_connection() {
    st.parts.stats.on_connection(worker, -1);
    st.open.fetch_sub(1, std::memory_order_relaxed);
  }
  open_connection(const open_connection&) = delete;
  open_connection& operator=(const open_connection&) = delete;
};

asio::awaitable<void> connection(tcp::socket socket, connection_info conn, worker& w,
                                 shared_state& st, listener_kind kind) {
  open_connection counted(st, w.index);
  const bool busy = counted.busy;
  conn.trust = &st.parts.config.trust;
  conn.hosts = &st.hosts;
  // A PROXY header is believed only from a trusted proxy: anyone else is not heard at all.
  if (kind.proxy_protocol && !st.parts.config.trust.trusted_proxies.contains(conn.client_address)) {
    co_return;
  }
  // A busy server turns HTTPS away before the handshake, its costliest step.
  if (busy && conn.https) {
    st.parts.stats.on_rejected_connection(w.index);
    co_return;
  }
  // The client's share of connections is taken before anything is read, so that silent
  // connections count too (behind a PROXY header the client is known only after it).
  client_slot slot;
  if (!kind.proxy_protocol) slot = take_slot(st, conn);
  if (slot.over() && conn.https) {
    st.parts.stats.on_rejected_connection(w.index);
    co_return;
  }
  boost::system::error_code nb;
  socket.non_blocking(true, nb);
  beast::flat_buffer first;
  opening o = read_opening(socket, conn, kind.proxy_protocol, first);
  bool go = o != opening::close;
  if (go && conn.https && o == opening::wait) {
    go = co_await wait_for_opening(socket, conn, kind.proxy_protocol,
                                   st.parts.config.limits.idle_timeout, first);
  }
  // Without a usable start the connection closes without an answer, as an idle one would.
  if (go && conn.https) {
    if (kind.proxy_protocol) slot = take_slot(st, conn);
    if (slot.over()) {
      st.parts.stats.on_rejected_connection(w.index);
      co_return;
    }
    co_await tls_connection(std::move(socket), std::move(conn), w, st, busy, std::move(first));
  } else if (go) {
    co_await plain_connection(std::move(socket), std::move(conn), w, st, busy, std::move(first),
                              o == opening::ready, kind.proxy_protocol, std::move(slot));
  }
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
    connection_info conn = describe(socket, peer, local_port, kind.https, st.parts.cert);
    asio::co_spawn(w.ioc, connection(std::move(socket), std::move(conn), w, st, kind),
                   asio::detached);
  }
}

// SO_REUSEPORT would let a second breakwater bind the same port and silently share its
// traffic; a plain bind first fails with "address in use" whenever anyone holds the port.
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

void begin_shutdown(worker& w) {
  w.stopping = true;
  for (auto& a : w.acceptors) {
    boost::system::error_code ec;
    a->close(ec);
  }
  for (session_base* s = w.sessions; s != nullptr; s = s->next) s->cancel_if_idle();
}

std::vector<listener> listeners_of(const server_options& cfg) {
  std::vector<listener> out;
  for (const listen_address& a : cfg.http) out.push_back({a, false});
  for (const listen_address& a : cfg.https) out.push_back({a, true});
  return out;
}

}  // namespace

boost::system::error_code run_server(server_parts& parts) {
  shared_state st{parts};
  std::vector<listener> listeners = listeners_of(parts.config);
  if (listeners.empty()) return errc::nothing_to_listen_on;
  asio::io_context control;
  for (const listener& l : listeners) {
    if (auto ec = check_free(control, l)) {
      parts.log.message(log_level::error,
                        fmt::format("cannot listen on {}: {}", to_string(l.address), ec.message()));
      return errc::listen_failed;
    }
  }
  std::vector<std::unique_ptr<worker>> workers;
  for (unsigned i = 0; i < parts.workers; ++i) {
    auto w = std::make_unique<worker>();
    w->index = i;
    w->respond = std::make_unique<responder>(parts.app);
    for (const listener& l : listeners) {
      if (auto ec = open_acceptor(*w, l, parts.config.limits)) {
        parts.log.message(log_level::error, fmt::format("cannot listen on {}: {}",
                                                        to_string(l.address), ec.message()));
        return errc::listen_failed;
      }
      listener_kind kind{l.https, l.address.proxy_protocol};
      asio::co_spawn(w->ioc, accept_loop(*w->acceptors.back(), kind, *w, st), asio::detached);
    }
    workers.push_back(std::move(w));
  }
  // Signals are taken on their own context; each worker is then told on its own thread.
  asio::signal_set signals(control, SIGINT, SIGTERM);
  asio::steady_timer drain(control);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    parts.log.message(log_level::warn,
                      fmt::format("signal {}: finishing requests in flight, then exiting", signo));
    for (auto& w : workers) asio::post(w->ioc, [&wk = *w] { begin_shutdown(wk); });
    // Slow clients get at most the header timeout and a little more to finish.
    drain.expires_after(parts.config.limits.header_timeout + std::chrono::seconds(2));
    drain.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      for (auto& w : workers) w->ioc.stop();
    });
  });
  if (parts.on_listening) parts.on_listening();
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&wk = *w] { wk.ioc.run(); });
  std::thread control_thread([&] { control.run(); });
  for (std::thread& t : threads) t.join();
  control.stop();
  control_thread.join();
  return {};
}

}  // namespace breakwater::http
