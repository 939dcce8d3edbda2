#include "probe/probers/ping.hpp"

#include "probe/detail/keyed_hash.hpp"
#include "probe/detail/timer.hpp"
#include "probe/icmp_error_queue.hpp"
#include "probe/wire/echo_packet.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/generic/datagram_protocol.hpp>
#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <tuple>
#include <vector>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

// The run's identifier, first sequence number and cookie (see echo_packet.hpp).
boost::system::result<echo::run_fields> random_run(bool v6) {
  std::array<std::uint8_t, 4 + echo::cookie_size> r{};
  if (error_code ec = fill_random(r)) return ec;
  echo::run_fields f;
  f.v6 = v6;
  f.id = static_cast<std::uint16_t>(r[0] << 8 | r[1]);
  f.first_seq = static_cast<std::uint16_t>(r[2] << 8 | r[3]);
  std::copy(r.begin() + 4, r.end(), f.data.begin());
  return f;
}

struct echo_socket {
  asio::generic::raw_protocol::socket raw;
  asio::generic::datagram_protocol::socket dgram;
  bool is_raw = false;

  explicit echo_socket(const asio::any_io_executor& ex) : raw(ex), dgram(ex) {}

  // Raw first (needs CAP_NET_RAW), then the unprivileged ping socket.
  error_code open(bool v6) {
    int family = v6 ? AF_INET6 : AF_INET;
    int proto = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
    error_code ec;
    raw.open(asio::generic::raw_protocol(family, proto), ec);
    if (!ec) {
      is_raw = true;
      return ec;
    }
    dgram.open(asio::generic::datagram_protocol(family, proto), ec);
    return ec;
  }
};

struct ping_run {
  asio::ip::address target;
  ping_options options;
  echo_socket& sock;
  echo::run_fields fields;
  std::vector<time_point> sent_at;
  ping_result result;

  std::uint16_t sent() const noexcept { return static_cast<std::uint16_t>(sent_at.size()); }

  awaitable<void> send_all() {
    auto ex = co_await asio::this_coro::executor;
    timer t(ex);
    asio::ip::udp::endpoint uep(target, 0);
    for (unsigned i = 0; i < options.count; ++i) {
      auto msg = echo::build_request(fields, static_cast<std::uint16_t>(i));
      sent_at.push_back(clock::now());
      error_code ec;
      if (sock.is_raw) {
        sock.raw.send_to(asio::buffer(msg),
                         asio::generic::raw_protocol::endpoint(uep.data(), uep.size()), 0, ec);
      } else {
        sock.dgram.send_to(asio::buffer(msg),
                           asio::generic::datagram_protocol::endpoint(uep.data(), uep.size()), 0,
                           ec);
      }
      if (ec) {
        result.error = fmt::format("send: {}", ec.message());
        co_return;
      }
      ++result.sent;
      t.expires_after(i + 1 < options.count ? options.interval : options.wait);
      // Cancelled (the answer came): stop here, or one more request would go out and draw
      // an ICMP error nobody reads.
      auto [wait_ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      if (wait_ec) co_return;
    }
  }

  void report_error(std::optional<std::uint16_t> index) {
    if (index && options.on_icmp_error) options.on_icmp_error(sent_at[*index]);
  }

  // A raw socket sees every ICMP message: a destination-unreachable counts only if it quotes
  // one of our requests to the target.
  void check_error(std::span<const std::uint8_t> m) {
    auto q = echo::parse_unreachable(m, target.is_v6());
    if (q) report_error(echo::quoted_index(*q, raw::to_bytes(target), fields, sent(), true));
  }

  // A ping socket queues the errors for its identifier; each must still be about a request
  // of ours to the target (the kernel quotes the request from its own header on).
  void check_queued_errors() {
    bool v6 = target.is_v6();
    while (auto e = read_queued_icmp_error(sock.dgram.native_handle())) {
      if (!e->from_network || !is_destination_unreachable(e->icmp, v6)) continue;
      if (e->destination != target) continue;
      auto request = echo::parse_request(e->quoted_bytes(), v6);
      if (!request) continue;
      echo::quoted_request q{raw::to_bytes(target), *request};
      report_error(echo::quoted_index(q, q.target, fields, sent(), false));
    }
  }

  // Returns once an echo reply from the target came back that echoes one of our requests.
  awaitable<void> receive() {
    std::array<std::uint8_t, 2048> buf{};
    bool v6 = target.is_v6();
    for (;;) {
      asio::ip::udp::endpoint from_udp;
      std::size_t n = 0;
      error_code ec;
      if (sock.is_raw) {
        asio::generic::raw_protocol::endpoint from;
        std::tie(ec, n) = co_await sock.raw.async_receive_from(asio::buffer(buf), from,
                                                               asio::as_tuple(asio::use_awaitable));
        std::memcpy(from_udp.data(), from.data(), std::min(from.size(), sizeof(sockaddr_in6)));
      } else {
        asio::generic::datagram_protocol::endpoint from;
        std::tie(ec, n) = co_await sock.dgram.async_receive_from(
            asio::buffer(buf), from, asio::as_tuple(asio::use_awaitable));
        std::memcpy(from_udp.data(), from.data(), std::min(from.size(), sizeof(sockaddr_in6)));
      }
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        if (!sock.is_raw) check_queued_errors();  // how a ping socket reports ICMP errors
        continue;
      }
      std::size_t off = 0;
      if (sock.is_raw && !v6) off = static_cast<std::size_t>(buf[0] & 0x0f) * 4;  // IP header
      if (n < off + 8) continue;
      std::span<const std::uint8_t> m(buf.data() + off, n - off);
      if (sock.is_raw) check_error(m);
      if (from_udp.address() != target) continue;
      auto reply = echo::parse_reply(m, v6);
      if (!reply) continue;
      auto index = echo::answered_index(*reply, fields, sent(), sock.is_raw);
      if (!index) continue;  // not an answer to us, or forged
      ++result.received;
      result.answered = true;
      result.rtt = clock::now() - sent_at[*index];
      co_return;
    }
  }
};

}  // namespace

awaitable<ping_result> ping_target(asio::ip::address target, ping_options options) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  echo_socket sock(ex);
  error_code open_ec = sock.open(target.is_v6());
  if (!open_ec && !sock.is_raw) enable_icmp_errors(sock.dgram.native_handle(), target.is_v6());
  if (error_code ec = open_ec) {
    ping_result r;
    r.permitted = false;
    r.error = fmt::format(
        "ICMP echo not allowed for this user: no raw ICMP socket (needs CAP_NET_RAW) and no "
        "ping socket ({}; see sysctl net.ipv4.ping_group_range)",
        ec.message());
    co_return r;
  }
  auto fields = random_run(target.is_v6());
  if (!fields) {
    ping_result r;
    r.error = fmt::format("no random numbers for the requests: {}", fields.error().message());
    co_return r;
  }
  ping_run run{target, options, sock, *fields, {}, {}};
  run.result.permitted = true;
  run.result.method = sock.is_raw ? "raw" : "ping-socket";
  co_await (run.send_all() || run.receive());
  co_return run.result;
}

}  // namespace breakwater::probe
