#include "probe/ping.hpp"

#include "probe/socket_errors.hpp"
#include "probe/timer.hpp"

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

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <tuple>
#include <vector>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

constexpr std::uint8_t echo_request_v4 = 8, echo_reply_v4 = 0;
constexpr std::uint8_t echo_request_v6 = 128, echo_reply_v6 = 129;

std::uint16_t checksum(const std::vector<std::uint8_t>& data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  }
  if (data.size() % 2 != 0) sum += static_cast<std::uint32_t>(data.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> echo_request(bool v6, std::uint16_t id, std::uint16_t seq) {
  std::vector<std::uint8_t> m(8 + 16, 0);
  m[0] = v6 ? echo_request_v6 : echo_request_v4;
  m[4] = static_cast<std::uint8_t>(id >> 8);
  m[5] = static_cast<std::uint8_t>(id);
  m[6] = static_cast<std::uint8_t>(seq >> 8);
  m[7] = static_cast<std::uint8_t>(seq);
  for (std::size_t i = 8; i < m.size(); ++i) m[i] = static_cast<std::uint8_t>('a' + i % 26);
  if (!v6) {  // the kernel sums ICMPv6 itself
    std::uint16_t c = checksum(m);
    m[2] = static_cast<std::uint8_t>(c >> 8);
    m[3] = static_cast<std::uint8_t>(c);
  }
  return m;
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
  std::uint16_t id;
  std::vector<time_point> sent_at;
  ping_result result;

  awaitable<void> send_all() {
    auto ex = co_await asio::this_coro::executor;
    timer t(ex);
    asio::ip::udp::endpoint uep(target, 0);
    for (unsigned seq = 0; seq < options.count; ++seq) {
      auto msg = echo_request(target.is_v6(), id, static_cast<std::uint16_t>(seq));
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
      t.expires_after(seq + 1 < options.count ? options.interval : options.wait);
      // Cancelled (the answer came): stop here, or one more request would go out and draw
      // an ICMP error nobody reads.
      auto [wait_ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      if (wait_ec) co_return;
    }
  }

  void report_error(time_point sent) {
    if (options.on_icmp_error) options.on_icmp_error(sent);
  }

  // A destination-unreachable quoting one of our requests (a raw socket sees every ICMP
  // message): type, then 4 unused bytes, then the request's IP header and its first bytes.
  void check_error(std::span<const std::uint8_t> m) {
    bool v6 = target.is_v6();
    if (m.size() < 8 || m[0] != (v6 ? 1 : 3)) return;
    std::span<const std::uint8_t> quoted = m.subspan(8);
    std::size_t ip = 40;
    if (!v6) {
      if (quoted.empty() || quoted[0] >> 4 != 4) return;
      ip = static_cast<std::size_t>(quoted[0] & 0x0f) * 4;
    }
    if (quoted.size() < ip + 8) return;
    const std::uint8_t* e = quoted.data() + ip;
    std::uint16_t rid = static_cast<std::uint16_t>(e[4] << 8 | e[5]);
    std::uint16_t seq = static_cast<std::uint16_t>(e[6] << 8 | e[7]);
    if (e[0] != (v6 ? echo_request_v6 : echo_request_v4) || rid != id) return;
    if (seq < sent_at.size()) report_error(sent_at[seq]);
  }

  // Returns once an echo reply from the target came back.
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
        // A ping socket reports an ICMP error for one of its requests this way.
        auto icmp = read_icmp_error(sock.dgram.native_handle());
        if (icmp && is_destination_unreachable(*icmp, v6)) report_error(sent_at.front());
        continue;
      }
      std::size_t off = 0;
      if (sock.is_raw && !v6) off = static_cast<std::size_t>(buf[0] & 0x0f) * 4;  // IP header
      if (n < off + 8) continue;
      const std::uint8_t* m = buf.data() + off;
      if (sock.is_raw) check_error(std::span<const std::uint8_t>(m, n - off));
      if (from_udp.address() != target) continue;
      if (m[0] != (v6 ? echo_reply_v6 : echo_reply_v4)) continue;
      std::uint16_t rid = static_cast<std::uint16_t>(m[4] << 8 | m[5]);
      std::uint16_t seq = static_cast<std::uint16_t>(m[6] << 8 | m[7]);
      if ((sock.is_raw && rid != id) || seq >= sent_at.size()) continue;
      ++result.received;
      result.answered = true;
      result.rtt = clock::now() - sent_at[seq];
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
  std::random_device rd;
  ping_run run{target, options, sock, static_cast<std::uint16_t>(rd()), {}, {}};
  run.result.permitted = true;
  run.result.method = sock.is_raw ? "raw" : "ping-socket";
  co_await (run.send_all() || run.receive());
  co_return run.result;
}

}  // namespace breakwater::probe
