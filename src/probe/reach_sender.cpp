#include "probe/reach_sender.hpp"

#include "common/ip.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <array>
#include <memory>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// One test's sockets and its step timer. Every wait is "the operation or the timer": the
// timer is the step's deadline, and a stop request cancels it and closes the sockets, so a
// stopped test ends at once, whatever step it is in.
struct run_state {
  explicit run_state(const asio::any_io_executor& ex) : timer(ex), udp(ex), tcp(ex) {}

  void stop() {
    stopped = true;
    timer.cancel();
    error_code ec;
    udp.close(ec);
    tcp.close(ec);
  }

  asio::steady_timer timer;
  asio::ip::udp::socket udp;
  asio::ip::tcp::socket tcp;
  bool stopped = false;
};

bool is_refusal(const error_code& ec) { return ec == asio::error::connection_refused; }

bool is_unreachable(const error_code& ec) {
  namespace e = asio::error;
  return ec == e::host_unreachable || ec == e::network_unreachable ||
         ec == error_code(EACCES, boost::system::system_category()) ||
         ec == error_code(EPERM, boost::system::system_category());
}

// What an error on the connected UDP socket says: the kernel reports an ICMP error that
// quotes one of our datagrams there. A datagram back from the target is an answer.
void note_udp(reach_send_result& r, const error_code& ec) {
  if (r.delivery == reach_delivery::answered) return;  // the strongest evidence stays
  if (!ec) {
    r.delivery = reach_delivery::answered;
  } else if (is_refusal(ec)) {
    r.delivery = reach_delivery::refused;
  } else if (is_unreachable(ec)) {
    r.delivery = reach_delivery::unreachable;
  }
}

// Listens on the connected socket until `until`: answers and ICMP errors are noted.
asio::awaitable<void> listen_udp(run_state& s, reach_send_result& r,
                                 asio::steady_timer::time_point until) {
  std::array<char, 512> buf{};
  while (!s.stopped) {
    s.timer.expires_at(until);
    auto first = co_await (s.udp.async_receive(asio::buffer(buf), tuple_awaitable) ||
                           s.timer.async_wait(tuple_awaitable));
    if (first.index() == 1) co_return;  // the time is up, or a stop
    auto [ec, n] = std::get<0>(first);
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
    note_udp(r, ec);
  }
}

asio::awaitable<reach_send_result> send_udp(run_state& s, const reach_send_request& q) {
  reach_send_result r;
  asio::ip::udp::endpoint to(q.target, q.port);
  error_code ec;
  s.udp.open(to.protocol(), ec);
  if (!ec) s.udp.connect(to, ec);  // connected: ICMP errors and answers come back to it
  if (ec) {
    r.delivery = reach_delivery::failed;
    r.detail = fmt::format("cannot send to {}: {}", q.target.to_string(), ec.message());
    co_return r;
  }
  auto start = asio::steady_timer::clock_type::now();
  for (duration offset : q.options.udp_schedule) {
    co_await listen_udp(s, r, start + offset);
    if (s.stopped) break;
    if (q.on_send) q.on_send();
    s.udp.send(asio::buffer(q.message), 0, ec);
    // A pending ICMP error fails the next send instead: note it and send again.
    if (ec && (is_refusal(ec) || is_unreachable(ec))) {
      note_udp(r, ec);
      s.udp.send(asio::buffer(q.message), 0, ec);
    }
    if (ec && !is_refusal(ec) && !is_unreachable(ec)) {
      if (s.stopped) break;
      r.delivery = reach_delivery::failed;
      r.detail = fmt::format("sending to {} failed: {}", q.target.to_string(), ec.message());
      co_return r;
    }
    ++r.attempts;
  }
  if (!s.stopped) {
    co_await listen_udp(s, r, asio::steady_timer::clock_type::now() + q.options.udp_tail);
  }
  if (r.delivery == reach_delivery::none && r.attempts > 0) r.delivery = reach_delivery::sent;
  co_return r;
}

// Waits until the peer closes its side after our FIN (a graceful close, so the message is
// read before the connection goes), or the deadline.
asio::awaitable<void> drain(run_state& s, duration deadline) {
  std::array<char, 512> buf{};
  s.timer.expires_after(deadline);
  for (;;) {
    auto first = co_await (s.tcp.async_read_some(asio::buffer(buf), tuple_awaitable) ||
                           s.timer.async_wait(tuple_awaitable));
    if (first.index() == 1) co_return;
    auto [ec, n] = std::get<0>(first);
    if (ec) co_return;  // the end of the stream, or an error: either way, done
  }
}

// One connection: connect, write, close. The delivery it reached.
asio::awaitable<reach_delivery> try_tcp(run_state& s, const reach_send_request& q,
                                        std::string& detail) {
  asio::ip::tcp::endpoint to(q.target, q.port);
  error_code ec;
  s.tcp = asio::ip::tcp::socket(s.timer.get_executor());
  s.tcp.open(to.protocol(), ec);
  if (ec) {
    detail = fmt::format("cannot open a socket: {}", ec.message());
    co_return reach_delivery::failed;
  }
  s.timer.expires_after(q.options.tcp_connect_deadline);
  auto connected =
      co_await (s.tcp.async_connect(to, tuple_awaitable) || s.timer.async_wait(tuple_awaitable));
  if (connected.index() == 1) co_return reach_delivery::no_answer;
  auto [connect_ec] = std::get<0>(connected);
  if (connect_ec) {
    if (is_refusal(connect_ec)) co_return reach_delivery::refused;
    if (is_unreachable(connect_ec)) co_return reach_delivery::unreachable;
    if (connect_ec == asio::error::timed_out) co_return reach_delivery::no_answer;
    detail =
        fmt::format("connecting to {} failed: {}", to.address().to_string(), connect_ec.message());
    co_return reach_delivery::failed;
  }
  if (q.on_send) q.on_send();
  s.timer.expires_after(q.options.tcp_write_deadline);
  auto wrote = co_await (asio::async_write(s.tcp, asio::buffer(q.message), tuple_awaitable) ||
                         s.timer.async_wait(tuple_awaitable));
  if (wrote.index() == 1 || std::get<0>(std::get<0>(wrote))) {
    detail = "the connection was accepted but the message could not be written";
    s.tcp.close(ec);
    co_return reach_delivery::failed;
  }
  s.tcp.shutdown(asio::socket_base::shutdown_send, ec);
  co_await drain(s, q.options.tcp_close_deadline);
  s.tcp.close(ec);
  co_return reach_delivery::written;
}

asio::awaitable<reach_send_result> send_tcp(run_state& s, const reach_send_request& q) {
  reach_send_result r;
  for (unsigned i = 0; i < q.options.tcp_tries && !s.stopped; ++i) {
    if (i > 0) {
      s.timer.expires_after(q.options.tcp_retry_gap);
      co_await s.timer.async_wait(tuple_awaitable);
      if (s.stopped) break;
    }
    ++r.attempts;
    reach_delivery d = co_await try_tcp(s, q, r.detail);
    // A stop (confirmed or expired meanwhile) cuts a try short: what it saw then is not
    // news, unless the message was out already.
    if (s.stopped && d != reach_delivery::written) break;
    r.delivery = d;
    if (d == reach_delivery::written) break;
    error_code ec;
    s.tcp.close(ec);
  }
  co_return r;
}

}  // namespace

asio::awaitable<reach_send_result> send_reach(reach_send_request request) {
  request.target = common::unmapped(request.target);
  if (request.stop.stop_requested()) co_return reach_send_result{};
  auto ex = co_await asio::this_coro::executor;
  auto s = std::make_shared<run_state>(ex);
  // A stop may be requested from any thread: hand it to the executor.
  std::stop_callback on_stop(request.stop, [s, ex] { asio::post(ex, [s] { s->stop(); }); });
  if (request.transport == reach_transport::udp) co_return co_await send_udp(*s, request);
  co_return co_await send_tcp(*s, request);
}

}  // namespace breakwater::probe
