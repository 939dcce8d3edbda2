#include "http/transport/connection.hpp"

#include "common/ip.hpp"

#include "http/transport/detail/preface.hpp"
#include "http/transport/http_session.hpp"
#include "http/transport/plain_stream.hpp"
#include "http/transport/tls.hpp"
#include "http/transport/tls_stream.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <array>
#include <memory>
#include <string>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// Dotted quad written by hand, not with inet_ntop: this runs for every connection, and
// inet_ntop formats through sprintf (docs/benchmarks.md).
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
                         bool https) {
  connection_info c;
  c.https = https;
  c.client_address = normalised(peer.address());
  c.client_port = peer.port();
  c.local_port = local_port;
  c.native_socket = s.native_handle();
  return c;
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

// The client's share of connections: not counted for a trusted proxy whose header names
// the clients (every visitor behind it shares its address), nor when nobody said who the
// client is. After a PROXY header the address it named is counted, whoever it is.
client_slot take_slot(shared_state& st, const connection_info& conn) {
  if (!conn.client_known || header_names_client(conn)) return {};
  return client_slot(st.slots, client_slots::keys_of(conn.client_address));
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
  // Taken once, just before the handshake: a certificate reloaded later serves the connections
  // that start after it, and this one keeps its own (and shows it on its pages) to its end.
  std::shared_ptr<const tls_identity> identity = st.parts.tls->current();
  conn.cert = &identity->cert;
  tls_stream stream(std::move(socket), identity->context->native_handle());
  stream.preload(first.cdata());
  constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
  stream.expires_after(st.parts.config.limits.header_timeout);
  auto [ec, n] = co_await stream.async_handshake(tuple);
  st.parts.stats.on_tls_handshake(w.index, !ec);
  if (ec) {
    const request_log& log = st.parts.log;
    log.message(log_level::debug,
                fmt::format("TLS handshake with {} failed: {}",
                            log.shows_clients() ? conn.client_address : "a client", ec.message()));
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

}  // namespace

void start_connection(worker& w, shared_state& st, listener_kind kind, tcp::socket socket,
                      const tcp::endpoint& peer, std::uint16_t local_port) {
  connection_info conn = describe(socket, peer, local_port, kind.https);
  asio::co_spawn(w.ioc, connection(std::move(socket), std::move(conn), w, st, kind),
                 asio::detached);
}

}  // namespace breakwater::http
