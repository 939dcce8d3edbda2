// A real http_session over a loopback TCP connection: an event stream that has nothing to
// say still sends its heartbeat comment at the chosen interval (proxies and browsers keep
// it open), the head goes out before any event, and the session ends when the client goes.
#include "http/transport/http_session.hpp"
#include "http/transport/plain_stream.hpp"
#include "support/stub_handler.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// A source that never produces anything.
struct silent_source final : async_source {
  std::shared_ptr<async_sink> sink;
  void start(std::shared_ptr<async_sink> s) override { sink = std::move(s); }
};

constexpr std::string_view beat = ": still here\n\n";

// What the client saw: everything it read, and when each heartbeat arrived.
struct client_view {
  std::string text;
  std::vector<clock_type::duration> beats;  // since the request was sent
};

// Sends the request, reads for `listen_for`, then closes the connection.
asio::awaitable<void> quiet_client(tcp::socket& socket, clock_type::duration listen_for,
                                   client_view& seen) {
  using namespace asio::experimental::awaitable_operators;
  constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
  std::string_view request = "GET /quiet HTTP/1.1\r\nHost: x\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(request), tuple);
  const auto start = clock_type::now();
  asio::steady_timer stop(socket.get_executor(), start + listen_for);
  std::array<char, 4096> buf{};
  for (;;) {
    auto r = co_await (socket.async_read_some(asio::buffer(buf), tuple) || stop.async_wait(tuple));
    if (r.index() == 1) break;
    auto [ec, n] = std::get<0>(r);
    if (ec) break;
    std::size_t before = seen.text.size();
    seen.text.append(buf.data(), n);
    // Count the heartbeats completed by this read.
    for (auto at = seen.text.find(beat, before >= beat.size() ? before - beat.size() + 1 : 0);
         at != std::string::npos; at = seen.text.find(beat, at + 1)) {
      if (at + beat.size() > before) seen.beats.push_back(clock_type::now() - start);
    }
  }
  boost::system::error_code ignored;
  socket.close(ignored);
}

TEST(sse_session, a_quiet_stream_sends_its_heartbeat_at_the_interval) {
  testing::stub_handler s;
  s.routes().add(method::get, "/quiet", [](const request&, const route_params&) {
    response r;
    r.content_type = "text/event-stream";
    r.later = std::make_shared<silent_source>();
    r.stream = true;
    r.heartbeat = std::string(beat);
    r.heartbeat_every = 40ms;
    return r;
  });
  responder resp(s, 8);
  limits lim;
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket accepted = acceptor.accept();
  accepted.non_blocking(true);
  plain_stream stream(std::move(accepted));
  connection_info conn;
  conn.client_address = "127.0.0.1";
  bool stopping = false;
  session_env env{resp, nullptr, nullptr, lim, 0, stopping};
  http_session<plain_stream> session(stream, env, conn);
  bool session_ended = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await session.run();
        session_ended = true;
        ioc.stop();  // the stream's idle deadline timer would keep run_for waiting
      },
      asio::detached);
  client_view seen;
  asio::co_spawn(ioc, quiet_client(client, 440ms, seen), asio::detached);
  ioc.run_for(5s);  // stops early: the session ends once the client has closed

  EXPECT_TRUE(session_ended) << "the session kept running after the client closed";
  EXPECT_TRUE(seen.text.starts_with("HTTP/1.1 200")) << seen.text;
  EXPECT_NE(seen.text.find("text/event-stream"), std::string::npos);
  // About ten in 440 ms at 40 ms; a loaded machine may fire a few late, never none, and
  // never one before its interval has passed.
  EXPECT_GE(seen.beats.size(), 4u);
  EXPECT_LE(seen.beats.size(), 12u);
  if (!seen.beats.empty()) {
    EXPECT_GE(seen.beats.front(), 35ms);
  }
  std::vector<clock_type::duration> gaps;
  for (std::size_t i = 1; i < seen.beats.size(); ++i) {
    gaps.push_back(seen.beats[i] - seen.beats[i - 1]);
    EXPECT_GE(gaps.back(), 20ms) << "heartbeat " << i << " came early";
  }
  // A heartbeat alone is not held back to gather events (25 ms): the usual gap is the
  // interval itself.
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                     gaps.end());
    EXPECT_LE(gaps[gaps.size() / 2], 55ms);
  }
}

}  // namespace
}  // namespace breakwater::http
