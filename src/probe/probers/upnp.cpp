#include "probe/probers/upnp.hpp"

#include "probe/detail/timer.hpp"
#include "probe/icmp_error_queue.hpp"
#include "probe/probers/source_filter.hpp"
#include "probe/wire/ssdp_reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <array>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

struct upnp_run {
  asio::ip::udp::endpoint target;
  upnp_options options;
  asio::ip::udp::socket& sock;
  time_point first_sent{};
  time_point last_sent{};
  upnp_result result;

  awaitable<void> send_all() {
    auto ex = co_await asio::this_coro::executor;
    timer t(ex);
    std::string host = target.address().is_v6() ? fmt::format("[{}]", target.address().to_string())
                                                : target.address().to_string();
    std::string msg = make_msearch(host, target.port());
    for (unsigned i = 0; i < options.tries; ++i) {
      if (i == 0) first_sent = clock::now();
      error_code ec;
      sock.send_to(asio::buffer(msg), target, 0, ec);
      if (ec && ec != asio::error::connection_refused) {
        result.error = fmt::format("send: {}", ec.message());
        co_return;
      }
      ++result.sent;
      last_sent = clock::now();
      t.expires_after(i + 1 < options.tries ? options.interval : options.wait);
      // Cancelled (the answer came): stop here, or one more request would go out and draw
      // an ICMP error nobody reads.
      auto [wait_ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      if (wait_ec) co_return;
    }
  }

  // Whether a queued ICMP error says that the target refused our request. The socket is not
  // connected, so the kernel queues errors that quote a datagram from our port to anywhere:
  // only one about a datagram to the target's port counts.
  bool refused() {
    bool v6 = target.address().is_v6();
    bool ours = false;
    while (auto e = read_queued_icmp_error(sock.native_handle())) {
      ours = ours || (e->from_network && is_destination_unreachable(e->icmp, v6) &&
                      e->destination == target.address() && e->port == target.port());
    }
    return ours;
  }

  // Returns at the first answer from the target's address.
  awaitable<void> receive() {
    std::array<char, 4096> buf{};
    for (;;) {
      asio::ip::udp::endpoint from;
      auto [ec, n] = co_await sock.async_receive_from(asio::buffer(buf), from,
                                                      asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // With IP_RECVERR an ICMP error for our request surfaces here.
        if (refused()) {
          result.refused = true;  // nothing listens on UDP 1900: no need to wait on
          // Booked at the request that drew it: the last one sent, as an error comes a round
          // trip after its request and the next request waits longer than that (the interval;
          // a round trip longer still books it late, by an interval). Requests that found the
          // target's limit empty drew none, and booked at the first, an error drawn later would
          // be spent where the model may hold no token: lost from it, a token it holds too many.
          if (options.on_icmp_error) options.on_icmp_error(last_sent);
          co_return;
        }
        continue;
      }
      if (from.address() != target.address()) continue;  // the filter's rule, if it let one by
      auto reply = parse_ssdp_reply(std::string_view(buf.data(), n));
      if (!reply) continue;
      result.answered = true;
      result.rtt = clock::now() - first_sent;
      result.from =
          fmt::format("{}", from.address().is_v6()
                                ? fmt::format("[{}]:{}", from.address().to_string(), from.port())
                                : fmt::format("{}:{}", from.address().to_string(), from.port()));
      result.status_line = reply->status_line;
      result.headers = std::move(reply->headers);
      co_return;
    }
  }
};

}  // namespace

awaitable<upnp_result> probe_upnp(asio::ip::address target, upnp_options options) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  asio::ip::udp::socket sock(ex);
  asio::ip::udp::endpoint ep(target, options.port);
  error_code ec;
  sock.open(ep.protocol(), ec);
  upnp_result failed;
  if (ec) {
    failed.error = fmt::format("open socket: {}", ec.message());
    co_return failed;
  }
  enable_icmp_errors(sock.native_handle(), target.is_v6());
  if ((ec = accept_only_from(sock.native_handle(), target))) {
    failed.error = fmt::format("filter answers: {}", ec.message());
    co_return failed;
  }
  upnp_run run{ep, options, sock, {}, {}, {}};
  co_await (run.send_all() || run.receive());
  co_return run.result;
}

}  // namespace breakwater::probe
