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
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
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

// Serves one connection with a real session for `s`'s routes, `client` on the other end;
// returns whether the session ended (it does once the client has closed, or the stream ends).
template <class Client>
bool serve_one(testing::stub_handler& s, Client client, clock_type::duration run_for = 5s) {
  responder resp(s, 8);
  limits lim;
  asio::io_context ioc{1};  // one thread, as a worker's (transport/detail/worker.hpp)
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket socket(ioc);
  socket.connect(acceptor.local_endpoint());
  tcp::socket accepted = acceptor.accept();
  accepted.non_blocking(true);
  plain_stream stream(std::move(accepted));
  connection_info conn;
  conn.client_address = "127.0.0.1";
  bool stopping = false;
  session_env env{resp, nullptr, nullptr, lim, 0, stopping};
  http_session<plain_stream> session(stream, env, conn);
  bool session_ended = false;
  bool client_ended = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await session.run();
        session_ended = true;
        boost::system::error_code ignored;
        stream.socket().close(ignored);  // as the server does once a session has ended
        if (client_ended)
          ioc.stop();  // the stream's idle deadline timer would keep run_for waiting
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await client(socket);
        client_ended = true;
        if (session_ended) ioc.stop();
      },
      asio::detached);
  ioc.run_for(run_for);
  return session_ended;
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
  client_view seen;
  // Stops early: the session ends once the client has closed.
  bool session_ended = serve_one(s, [&](tcp::socket& c) { return quiet_client(c, 440ms, seen); });

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

// Numbered events written as the scan service writes them: a batch from on_drained on the
// session's thread, single events from another thread meanwhile, each number taken under
// one lock; the last writer ends the stream.
class two_thread_source final : public async_source {
 public:
  explicit two_thread_source(int total) : total_(total) {}
  ~two_thread_source() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    if (other_.joinable()) other_.join();
  }
  void start(std::shared_ptr<async_sink> sink) override {
    sink_ = std::move(sink);
    other_ = std::thread([this] {
      while (write_next()) {
      }
    });
  }
  void on_drained() override {
    for (int i = 0; i < 64 && write_next(); ++i) {
    }
  }

 private:
  bool write_next() {
    std::lock_guard lock(mu_);
    if (stop_ || next_ == total_) return false;
    sink_->write("data: " + std::to_string(next_++) + "\n\n");
    if (next_ == total_) sink_->end();
    return true;
  }

  const int total_;
  std::mutex mu_;
  int next_ = 0;
  bool stop_ = false;
  std::shared_ptr<async_sink> sink_;
  std::thread other_;
};

// Sends the request and reads until the server closes.
asio::awaitable<void> read_to_end(tcp::socket& socket, std::string& text) {
  constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
  std::string_view request = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(request), tuple);
  std::array<char, 16384> buf{};
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), tuple);
    if (ec) break;
    text.append(buf.data(), n);
  }
  boost::system::error_code ignored;
  socket.close(ignored);
}

// A source that writes a large piece when it starts and another each time the session has
// taken what it wrote (on_drained), as the API's JSON of a large result does; never ends.
class piece_per_drain_source final : public async_source {
 public:
  // More than the sockets' buffers take together: the stalled client's receive buffer is held
  // to 64 KB, and the server's send buffer grows to a few MB at most (tcp_wmem).
  static constexpr std::size_t piece = 16 << 20;
  explicit piece_per_drain_source(std::shared_ptr<int> written) : written_(std::move(written)) {}
  void start(std::shared_ptr<async_sink> sink) override {
    sink_ = std::move(sink);
    write_piece();
  }
  void on_drained() override { write_piece(); }

 private:
  void write_piece() {
    ++*written_;
    sink_->write(std::string(piece, 'x'));
  }
  std::shared_ptr<int> written_;
  std::shared_ptr<async_sink> sink_;
};

// A client that stops reading holds what the sockets took, the piece being written and the
// one the source wrote when that one was taken: two pieces. (Before, the session also asked
// for one when it had taken nothing: its first look, before the first piece had arrived.)
TEST(sse_session, a_client_that_stops_reading_holds_two_pieces) {
  auto written = std::make_shared<int>(0);
  testing::stub_handler s;
  s.routes().add(method::get, "/big", [written](const request&, const route_params&) {
    response r;
    r.content_type = "application/json";
    r.later = std::make_shared<piece_per_drain_source>(written);
    r.stream = true;
    return r;
  });
  auto stalled = [](tcp::socket& socket) -> asio::awaitable<void> {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    socket.set_option(asio::socket_base::receive_buffer_size(64 * 1024));
    std::string_view request = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), tuple);
    asio::steady_timer wait(socket.get_executor(), 500ms);
    co_await wait.async_wait(tuple);
    boost::system::error_code ignored;
    socket.close(ignored);
  };
  serve_one(s, stalled, 3s);
  EXPECT_EQ(*written, 2);
}

// A source's empty piece is no piece: nothing goes out for it (in the session's queue an empty
// piece stands for a heartbeat, which it used to become).
struct empty_then_event_source final : async_source {
  void start(std::shared_ptr<async_sink> sink) override {
    sink->write("");
    sink->write("data: 1\n\n");
    sink->end();
  }
};

TEST(sse_session, an_empty_write_sends_nothing) {
  testing::stub_handler s;
  s.routes().add(method::get, "/events", [](const request&, const route_params&) {
    response r;
    r.content_type = "text/event-stream";
    r.later = std::make_shared<empty_then_event_source>();
    r.stream = true;
    r.heartbeat = std::string(beat);
    return r;
  });
  std::string text;
  EXPECT_TRUE(serve_one(s, [&](tcp::socket& c) { return read_to_end(c, text); }));
  EXPECT_NE(text.find("data: 1\n\n"), std::string::npos) << text;
  EXPECT_EQ(text.find(beat), std::string::npos) << text;
}

// The case that broke a scan's event ids through the cluster's proxy: the client sees every
// event once, in the order written, and then the end of the stream.
TEST(sse_session, events_written_from_two_threads_reach_the_client_in_order) {
  static constexpr int total = 30000;
  testing::stub_handler s;
  s.routes().add(method::get, "/events", [](const request&, const route_params&) {
    response r;
    r.content_type = "text/event-stream";
    r.later = std::make_shared<two_thread_source>(total);
    r.stream = true;
    r.heartbeat = std::string(beat);
    return r;
  });
  std::string text;
  bool session_ended = serve_one(
      s, [&](tcp::socket& c) { return read_to_end(c, text); }, 20s);
  EXPECT_TRUE(session_ended) << "the stream did not end";
  std::size_t at = text.find("\r\n\r\n");
  ASSERT_NE(at, std::string::npos) << text.substr(0, 200);
  int want = 0;
  std::size_t out_of_order = 0;
  int first_break = -1;
  for (at = text.find("data: ", at); at != std::string::npos; at = text.find("data: ", at + 1)) {
    int got = std::stoi(text.substr(at + 6, 12));
    if (got != want && first_break < 0) first_break = want;
    out_of_order += got != want ? 1 : 0;
    want = got + 1;
  }
  EXPECT_EQ(want, total) << "the last event seen";
  EXPECT_EQ(out_of_order, 0u) << "ids break order first after " << first_break;
}

}  // namespace
}  // namespace breakwater::http
