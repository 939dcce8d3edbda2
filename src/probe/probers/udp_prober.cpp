#include "probe/probers/udp_prober.hpp"

#include "probe/detail/timer.hpp"
#include "probe/icmp_error_queue.hpp"
#include "probe/probers/socket_errors.hpp"
#include "probe/probers/source_filter.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

// Bytes of the answer kept for the protocol's reader; datagrams past it are only counted.
constexpr std::size_t kept_answer_bytes = 65536;

// The largest UDP payload, read into one buffer per thread: a try never awaits between a
// receive and keeping what it read, so no two tries use it at once. (A buffer per try, held
// while it waits, cost a visitor's scan of silent UDP ports 64 KiB for each try out.)
std::span<char> receive_buffer() {
  static thread_local std::vector<char> buffer(65536);
  return buffer;
}

probe_outcome failed(error_code ec, operation op, const asio::ip::udp::endpoint& ep,
                     bool transient = false) {
  probe_outcome o;
  o.what = probe_outcome::kind::failed;
  o.proto = transport::udp;
  o.error = failure{ec, op, fmt::format("UDP port {} of {}", ep.port(), ep.address().to_string())};
  o.transient = transient;
  return o;
}

probe_outcome cancelled() {
  probe_outcome o;
  o.what = probe_outcome::kind::cancelled;
  o.proto = transport::udp;
  return o;
}

// One try at one port: its socket, what it sent and what came back.
struct udp_try {
  asio::ip::udp::socket& sock;
  asio::ip::udp::endpoint target;
  const udp_prober_options& options;
  const udp::protocol& proto;
  time_point sent{};
  time_point first_at{};
  std::size_t bytes_out = 0;
  std::size_t bytes_in = 0;
  unsigned datagrams = 0;
  std::atomic<std::size_t>& kept_by_all;  // the prober's count, shared by its tries
  std::vector<std::string> answers{};     // as received, up to kept_answer_bytes in all
  std::size_t kept = 0;
  std::optional<icmp_info> refusal{};

  udp_try(asio::ip::udp::socket& s, asio::ip::udp::endpoint to, const udp_prober_options& o,
          const udp::protocol& p, std::atomic<std::size_t>& all)
      : sock(s), target(to), options(o), proto(p), kept_by_all(all) {}
  udp_try(const udp_try&) = delete;
  udp_try& operator=(const udp_try&) = delete;
  ~udp_try() { kept_by_all.fetch_sub(kept, std::memory_order_relaxed); }

  // Sends the try's datagrams; a failure to send ends the probe.
  std::optional<probe_outcome> send() {
    sent = clock::now();
    for (const std::string& r : proto.requests()) {
      error_code ec;
      sock.send_to(asio::buffer(r), target, 0, ec);
      // An ICMP error for an earlier datagram of this try can surface on a later send (and
      // then no more on a receive): read it now.
      if (ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
          ec == asio::error::network_unreachable) {
        read_errors();
        if (refusal || ec == asio::error::connection_refused) continue;
        return failed(make_error_code(errc::no_route), operation::send, target);
      }
      if (ec) return failed(ec, operation::send, target, is_transient_socket_error(ec));
      bytes_out += r.size();
    }
    return std::nullopt;
  }

  // Takes the ICMP errors queued on the socket; keeps an unreachable about our own datagram.
  void read_errors() {
    bool v6 = target.address().is_v6();
    while (auto e = read_queued_icmp_error(sock.native_handle())) {
      if (!e->from_network || !is_destination_unreachable(e->icmp, v6)) continue;
      if (e->destination != target.address() || e->port != target.port()) continue;
      icmp_info i = e->icmp;
      if (!e->offender.is_unspecified() && e->offender != target.address()) i.from = e->offender;
      refusal = i;
    }
  }

  void keep(const char* data, std::size_t n) {
    if (datagrams == 0) first_at = clock::now();
    ++datagrams;
    bytes_in += n;
    if (kept + n > kept_answer_bytes) return;
    if (kept_by_all.fetch_add(n, std::memory_order_relaxed) + n > options.max_kept_bytes) {
      kept_by_all.fetch_sub(n, std::memory_order_relaxed);
      return;
    }
    answers.emplace_back(data, n);
    kept += n;
  }

  // Reads the datagrams waiting on the (non-blocking) socket; true when the try is over: an
  // ICMP error refused it before any answer.
  bool receive_waiting() {
    std::span<char> buf = receive_buffer();
    // The socket is edge-triggered: whatever is queued must be read now, past an error too,
    // or it waits for the next datagram. Each error is reported once; a few bound the loop.
    unsigned errors = 0;
    while (datagrams < options.max_datagrams) {
      asio::ip::udp::endpoint from;
      error_code ec;
      std::size_t n = sock.receive_from(asio::buffer(buf.data(), buf.size()), from, 0, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
      if (ec) {
        // With IP_RECVERR an ICMP error for our datagram surfaces as a receive error.
        read_errors();
        if (refusal && datagrams == 0) {
          first_at = clock::now();
          return true;
        }
        if (++errors > 8) return false;
        continue;
      }
      if (from.address() != target.address()) continue;  // the filter's rule, if one slipped by
      keep(buf.data(), n);
    }
    return false;
  }

  probe_outcome answered() const {
    probe_outcome o;
    o.what = probe_outcome::kind::answered;
    o.proto = transport::udp;
    o.rtt = first_at - sent;
    if (datagrams == 0) {
      o.why = reason::icmp_unreachable;
      o.icmp = refusal;
      return o;
    }
    std::vector<std::string_view> views(answers.begin(), answers.end());
    udp::reading r = proto.read(views);
    o.why = reason::udp_answer;
    o.udp = udp_answer{std::string(proto.name),
                       bytes_out,
                       bytes_in,
                       datagrams,
                       udp::escaped_text(answers.empty() ? std::string_view{} : answers.front()),
                       std::move(r.summary),
                       std::string(r.finding)};
    return o;
  }

  // Twice the first answer's round trip, within the options' bounds: long enough for the
  // rest of a multi-datagram answer, short enough not to hold the verdict.
  duration gather_time() const {
    return std::clamp<duration>(2 * (first_at - sent), options.gather_min, options.gather_max);
  }
};

// Holds one of the prober's lingering places until the try ends.
class lingering_place {
 public:
  explicit lingering_place(std::atomic<std::size_t>& count) : count_(count) {}
  lingering_place(const lingering_place&) = delete;
  lingering_place& operator=(const lingering_place&) = delete;
  ~lingering_place() { count_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  std::atomic<std::size_t>& count_;
};

}  // namespace

std::size_t udp_prober::limit_lingering_descriptors(std::size_t at_most) noexcept {
  max_lingering_ = std::min(options_.max_lingering, at_most);
  return max_lingering_;
}

bool udp_prober::take_lingering_place() noexcept {
  std::size_t now = lingering_.load(std::memory_order_relaxed);
  while (now < max_lingering_) {
    if (lingering_.compare_exchange_weak(now, now + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

awaitable<probe_outcome> udp_prober::probe(asio::ip::address target, std::uint16_t port,
                                           duration timeout) {
  return probe_until(target, port, timeout, timeout, {});
}

awaitable<probe_outcome> udp_prober::probe_until(asio::ip::address target, std::uint16_t port,
                                                 duration timeout, duration heard_until,
                                                 std::function<void()> at_timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  asio::ip::udp::endpoint ep(target, port);
  asio::ip::udp::socket sock(ex);
  error_code ec;
  sock.open(ep.protocol(), ec);
  if (ec) co_return failed(ec, operation::open_socket, ep, is_transient_socket_error(ec));
  if (!enable_icmp_errors(sock.native_handle(), target.is_v6())) {
    co_return failed(error_code(errno, boost::system::system_category()), operation::set_option,
                     ep);
  }
  if ((ec = accept_only_from(sock.native_handle(), target))) {
    co_return failed(ec, operation::set_option, ep);
  }
  if (sock.non_blocking(true, ec); ec) co_return failed(ec, operation::set_option, ep);
  udp_try t(sock, ep, options_, udp::protocol_for(port), kept_bytes_);
  if (auto f = t.send()) co_return *f;
  if (t.refusal) {
    t.first_at = clock::now();
    co_return t.answered();
  }
  timer deadline(ex);
  deadline.expires_at(t.sent + timeout);
  std::optional<lingering_place> place;
  // Waits for the socket to be readable, not in a receive: a receive holds its buffer for as
  // long as it waits.
  while (t.datagrams < options_.max_datagrams) {
    auto r = co_await (
        sock.async_wait(asio::socket_base::wait_read, asio::as_tuple(asio::use_awaitable)) ||
        deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (r.index() == 1) {
      auto [wait_ec] = std::get<1>(r);
      if (wait_ec == asio::error::operation_aborted) co_return cancelled();
      if (t.datagrams > 0 || place || heard_until <= timeout || !at_timeout) break;
      // What came with the timeout is on time: an answer not yet read (receive_waiting reads
      // it), an error whose report was taken already.
      if (t.receive_waiting() || t.datagrams > 0) break;
      t.read_errors();
      if (t.refusal) break;
      if (!take_lingering_place()) break;
      // Silent by its timeout, and heard a while longer on its own socket.
      place.emplace(lingering_);
      at_timeout();
      deadline.expires_at(t.sent + heard_until);
      continue;
    }
    auto [ready_ec] = std::get<0>(r);
    if (ready_ec == asio::error::operation_aborted) co_return cancelled();
    const bool first = t.datagrams == 0;
    if (t.receive_waiting()) break;
    // A late answer is reported as read: gathering the rest would take twice a round trip
    // that was long already, and the scan may end meanwhile and cancel the try.
    if (first && t.datagrams > 0 && place) break;
    if (first && t.datagrams > 0) deadline.expires_at(t.first_at + t.gather_time());
  }
  if (t.datagrams == 0) t.read_errors();  // one may be queued with its report already taken
  if (t.datagrams == 0 && !t.refusal) {
    probe_outcome silent;
    silent.proto = transport::udp;
    co_return silent;
  }
  co_return t.answered();
}

}  // namespace breakwater::probe
