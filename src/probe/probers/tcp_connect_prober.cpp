#include "probe/probers/tcp_connect_prober.hpp"

#include "probe/detail/timer.hpp"
#include "probe/icmp_error_queue.hpp"
#include "probe/probers/socket_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

probe_outcome failed(error_code ec, operation op, const asio::ip::tcp::endpoint& ep,
                     bool transient = false) {
  probe_outcome o;
  o.what = probe_outcome::kind::failed;
  o.error = failure{ec, op, fmt::format("port {} of {}", ep.port(), ep.address().to_string())};
  o.transient = transient;
  return o;
}

// Linux sends a connecting socket's SYN again after tcp_first_resend and doubles the wait
// each time: SYNs leave at 0, 1, 3, 7... s. An answer after the first resend may be to any
// of them, so it times no round trip (Karn's rule), and the scan books an ICMP error at the
// last SYN before it: a lost first SYN is the usual reason for the wait.
probe_outcome mark_resent(probe_outcome o) {
  if (o.what != probe_outcome::kind::answered) return o;
  duration last{};
  for (duration next = tcp_first_resend; next <= o.rtt; next = 2 * next + tcp_first_resend) {
    last = next;
  }
  if (last == duration::zero()) return o;
  o.timed = false;
  o.resent_after = last;
  return o;
}

// A refused or unreachable connect: the ICMP error queued on the socket says which; without
// one, a refusal is a reset and anything else is this host's own failure. No check of what
// the error quotes is needed here: the kernel queues one on a connecting socket only if it
// quotes the connection's addresses and ports and a sequence number in flight (its initial
// sequence numbers are keyed hashes too), and takes a reset only if it acknowledges the SYN.
probe_outcome classify(const error_code& ec, int fd, bool v6, const asio::ip::tcp::endpoint& ep,
                       duration rtt) {
  probe_outcome o;
  o.rtt = rtt;
  if (auto icmp = read_icmp_error(fd)) {
    if (!is_destination_unreachable(*icmp, v6)) return o;  // e.g. time exceeded: no verdict
    o.what = probe_outcome::kind::answered;
    o.why = reason::icmp_unreachable;
    o.icmp = icmp;
    return o;
  }
  namespace e = asio::error;
  if (ec == e::connection_refused) {
    o.what = probe_outcome::kind::answered;
    o.why = reason::rst;
    return o;
  }
  if (ec == e::timed_out) return o;  // the kernel gave up on its own SYN retries: silent
  if (ec == e::network_unreachable || ec == e::host_unreachable) {
    return failed(make_error_code(errc::no_route), operation::connect, ep);
  }
  if (ec == e::access_denied || ec == error_code(EPERM, boost::system::system_category())) {
    return failed(make_error_code(errc::no_permission), operation::connect, ep);
  }
  if (is_transient_socket_error(ec)) return failed(ec, operation::connect, ep, true);
  return failed(ec, operation::connect, ep);
}

}  // namespace

asio::awaitable<probe_outcome> tcp_connect_prober::probe(asio::ip::address target,
                                                         std::uint16_t port, duration timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::endpoint ep(target, port);
  asio::ip::tcp::socket sock(ex);
  error_code ec;
  sock.open(ep.protocol(), ec);
  if (ec) co_return failed(ec, operation::open_socket, ep, is_transient_socket_error(ec));
  bool v6 = target.is_v6();
  if (!enable_icmp_errors(sock.native_handle(), v6)) {
    co_return failed(error_code(errno, boost::system::system_category()), operation::set_option,
                     ep);
  }
  timer deadline(ex);
  deadline.expires_after(timeout);
  auto start = clock::now();
  auto first = co_await (sock.async_connect(ep, asio::as_tuple(asio::use_awaitable)) ||
                         deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
  duration rtt = clock::now() - start;
  if (first.index() == 1) {
    auto [wait_ec] = std::get<1>(first);
    probe_outcome o;
    if (wait_ec == asio::error::operation_aborted) o.what = probe_outcome::kind::cancelled;
    co_return o;  // silent: a late SYN-ACK finds no socket and gets a reset from the kernel
  }
  auto [connect_ec] = std::get<0>(first);
  if (connect_ec == asio::error::operation_aborted) {
    probe_outcome o;
    o.what = probe_outcome::kind::cancelled;
    co_return o;
  }
  if (connect_ec) co_return mark_resent(classify(connect_ec, sock.native_handle(), v6, ep, rtt));
  // Open. Close with a reset (linger 0): no data is sent and nothing waits in TIME_WAIT.
  sock.set_option(asio::socket_base::linger(true, 0), ec);
  sock.close(ec);
  probe_outcome o;
  o.what = probe_outcome::kind::answered;
  o.why = reason::syn_ack;
  o.rtt = rtt;
  co_return mark_resent(o);
}

}  // namespace breakwater::probe
