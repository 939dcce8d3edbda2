// tls_stream over real TCP connections on 127.0.0.1, against Asio's TLS client: handshakes
// at both versions, large and deferred output, preloaded input, deadlines, cancellation, and
// the ways a connection ends.
#include "web/tls_stream.hpp"
#include "web/certificate.hpp"
#include "web/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using breakwater::web::tls_stream;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;
using client_stream = ssl::stream<tcp::socket>;
using namespace std::chrono_literals;

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto awaitable = asio::use_awaitable;

const std::string request_text = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
const std::string reply_text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

// An error code no operation here returns: "the step never completed".
const error_code not_run = asio::error::in_progress;

asio::awaitable<void> sleep(clock_type::duration d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(awaitable);
}

// A one-shot signal from one side of a test to the other.
class event {
 public:
  explicit event(asio::io_context& ctx) : timer_(ctx, clock_type::time_point::max()) {}
  void set() {
    set_ = true;
    timer_.cancel();
  }
  asio::awaitable<void> wait() {
    while (!set_) co_await timer_.async_wait(tuple);
  }

 private:
  asio::steady_timer timer_;
  bool set_ = false;
};

// Bytes with no short period, so a lost, doubled or reordered record shows.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 1;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

asio::awaitable<std::string> read_exactly(tls_stream& s, std::size_t n) {
  std::string got(n, '\0');
  co_await asio::async_read(s, asio::buffer(got), awaitable);
  co_return got;
}

// The server's usual round once the handshake is done: the request in, the reply out, then
// close_notify (which also sends the reply, still buffered until then).
asio::awaitable<std::string> answer(tls_stream& s) {
  std::string got = co_await read_exactly(s, request_text.size());
  co_await asio::async_write(s, asio::buffer(reply_text), awaitable);
  co_await s.async_shutdown(awaitable);
  co_return got;
}

// Parameter: the TLS version the client pins (TLS1_2_VERSION or TLS1_3_VERSION).
class tls_stream_loopback : public ::testing::TestWithParam<int> {
 public:
  // One certificate for the whole suite: a key per test would only cost time.
  static void SetUpTestSuite() {
    std::string dir = (std::filesystem::temp_directory_path() / "bw-tls-stream-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    state_dir_ = dir;
    auto files = breakwater::web::ensure_self_signed(state_dir_);
    ASSERT_TRUE(files) << files.error().message();
    auto made = breakwater::web::make_tls_context(files->cert, files->key);
    ASSERT_TRUE(made) << made.error().message();
    server_tls_ = *made;
  }
  static void TearDownTestSuite() {
    server_tls_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(state_dir_, ignored);
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(server_tls_) << "no server certificate";
    SSL_CTX_set_min_proto_version(client_tls_.native_handle(), GetParam());
    SSL_CTX_set_max_proto_version(client_tls_.native_handle(), GetParam());
    client_tls_.set_verify_mode(ssl::verify_none);  // self-signed; the server is what is tested
  }

  ssl_ctx_st* server_ctx() const { return server_tls_->native_handle(); }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  // The server's socket as server.cpp hands it over: accepted and non-blocking.
  asio::awaitable<tcp::socket> accept() {
    tcp::socket s = co_await acceptor_.async_accept(awaitable);
    s.non_blocking(true);
    co_return s;
  }

  asio::awaitable<void> connect_and_handshake(client_stream& c) {
    co_await c.next_layer().async_connect(endpoint(), awaitable);
    co_await c.async_handshake(ssl::stream_base::client, awaitable);
  }

  // A client that connects, waits until it is told, sends `text`, then reads until the
  // server goes.
  asio::awaitable<void> send_when_told(event& told, std::string text) {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await told.wait();
    co_await asio::async_write(c, asio::buffer(text), awaitable);
    std::string rest;
    co_await asio::async_read(c, asio::dynamic_buffer(rest), tuple);
  }

  // A client that connects and makes the usual round (see ask).
  asio::awaitable<void> client_asks(std::string& reply, error_code& end) {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await ask(c, reply, end);
  }

  // The client's usual round: the request out, then everything until the server closes.
  static asio::awaitable<void> ask(client_stream& c, std::string& reply, error_code& end) {
    co_await asio::async_write(c, asio::buffer(request_text), awaitable);
    std::tie(end, std::ignore) = co_await asio::async_read(c, asio::dynamic_buffer(reply), tuple);
  }

  // Runs the coroutines on the one io_context until all have finished. An exception or a
  // hang fails the test instead of stopping or blocking it.
  template <class... Tasks>
  void run(Tasks... tasks) {
    std::size_t finished = 0;
    auto on_done = [&finished](std::exception_ptr e) {
      ++finished;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        ADD_FAILURE() << "a coroutine threw: " << x.what();
      }
    };
    (asio::co_spawn(ctx_, std::move(tasks), on_done), ...);
    ctx_.run_for(20s);
    EXPECT_EQ(finished, sizeof...(tasks)) << "a coroutine did not finish";
  }

  // The server reads its first bytes itself (at most `limit`), then hands them to the stream.
  void handshake_after_preload(std::size_t limit);

  static std::string state_dir_;
  static std::shared_ptr<ssl::context> server_tls_;

  asio::io_context ctx_;
  tcp::acceptor acceptor_{ctx_, {asio::ip::make_address("127.0.0.1"), 0}};
  ssl::context client_tls_{ssl::context::tls_client};
};

std::string tls_stream_loopback::state_dir_;
std::shared_ptr<ssl::context> tls_stream_loopback::server_tls_;

TEST_P(tls_stream_loopback, handshake_at_the_pinned_version_then_request_and_reply_intact) {
  error_code handshake = not_run;
  error_code client_end = not_run;
  int server_version = 0;
  int client_version = 0;
  std::string request;
  std::string reply;
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    std::tie(handshake, std::ignore) = co_await s.async_handshake(tuple);
    server_version = SSL_version(s.native_handle());
    request = co_await answer(s);
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    client_version = SSL_version(c.native_handle());
    co_await ask(c, reply, client_end);
  };
  run(server(), client());
  EXPECT_FALSE(handshake) << handshake.message();
  EXPECT_EQ(server_version, GetParam());
  EXPECT_EQ(client_version, GetParam());
  EXPECT_EQ(request, request_text);
  EXPECT_EQ(reply, reply_text);
  EXPECT_EQ(client_end, asio::error::eof) << client_end.message();  // close_notify came
}

// The client's receive buffer and the server's send buffer are small, and the client starts
// reading late: the server's writes must wait for the socket, more than once.
TEST_P(tls_stream_loopback, a_large_write_to_a_late_reader_arrives_whole_then_close_notify) {
  const std::string payload = pattern(1 << 20);
  constexpr std::size_t chunk = 256 * 1024;
  error_code shutdown = not_run;
  error_code client_end = not_run;
  clock_type::time_point writes_done;
  clock_type::time_point reading_from;
  std::string got;
  event client_done(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tcp::socket socket = co_await accept();
    socket.set_option(tcp::socket::send_buffer_size(16 * 1024));
    tls_stream s(std::move(socket), server_ctx());
    co_await s.async_handshake(awaitable);
    for (std::size_t at = 0; at < payload.size(); at += chunk) {
      co_await asio::async_write(s, asio::buffer(payload.data() + at, chunk), awaitable);
    }
    writes_done = clock_type::now();
    std::tie(shutdown, std::ignore) = co_await s.async_shutdown(tuple);
    co_await client_done.wait();  // the socket stays open until the client has read it all
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    c.next_layer().open(tcp::v4());
    c.next_layer().set_option(tcp::socket::receive_buffer_size(16 * 1024));
    co_await connect_and_handshake(c);
    co_await sleep(100ms);
    reading_from = clock_type::now();
    std::tie(client_end, std::ignore) =
        co_await asio::async_read(c, asio::dynamic_buffer(got), tuple);
    client_done.set();
  };
  run(server(), client());
  EXPECT_FALSE(shutdown) << shutdown.message();
  EXPECT_EQ(got.size(), payload.size());
  EXPECT_TRUE(got == payload) << "the bytes differ";
  // eof means close_notify arrived; without it Asio says stream_truncated.
  EXPECT_EQ(client_end, asio::error::eof) << client_end.message();
  EXPECT_GT(writes_done, reading_from) << "1 MiB cannot fit in the buffers: writes must wait";
}

// The reply is small, so the write only buffers it; the read that follows must send it
// before it waits, or both sides wait for each other.
TEST_P(tls_stream_loopback, output_left_by_a_write_leaves_before_the_next_read_waits) {
  std::string first;
  std::string second;
  std::string reply;
  error_code client_end = not_run;
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    first = co_await read_exactly(s, 4);
    co_await asio::async_write(s, asio::buffer(std::string("pong")), awaitable);
    second = co_await read_exactly(s, 4);
    co_await s.async_shutdown(awaitable);
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await asio::async_write(c, asio::buffer(std::string("ping")), awaitable);
    reply.resize(4);
    co_await asio::async_read(c, asio::buffer(reply), awaitable);  // before sending more
    co_await asio::async_write(c, asio::buffer(std::string("next")), awaitable);
    std::string rest;
    std::tie(client_end, std::ignore) =
        co_await asio::async_read(c, asio::dynamic_buffer(rest), tuple);
  };
  run(server(), client());
  EXPECT_EQ(first, "ping");
  EXPECT_EQ(reply, "pong");
  EXPECT_EQ(second, "next");
  EXPECT_EQ(client_end, asio::error::eof) << client_end.message();
}

void tls_stream_loopback::handshake_after_preload(std::size_t limit) {
  std::size_t preloaded = 0;
  error_code handshake = not_run;
  error_code client_end = not_run;
  std::string request;
  std::string reply;
  auto server = [&]() -> asio::awaitable<void> {
    tcp::socket socket = co_await accept();
    co_await socket.async_wait(tcp::socket::wait_read, awaitable);
    std::array<char, 4096> first{};
    preloaded = socket.read_some(asio::buffer(first.data(), limit));
    tls_stream s(std::move(socket), server_ctx());
    s.preload(asio::buffer(first.data(), preloaded));
    std::tie(handshake, std::ignore) = co_await s.async_handshake(tuple);
    request = co_await answer(s);
  };
  run(server(), client_asks(reply, client_end));
  EXPECT_GT(preloaded, 0u);
  EXPECT_FALSE(handshake) << handshake.message();
  EXPECT_EQ(request, request_text);
  EXPECT_EQ(reply, reply_text);
  EXPECT_EQ(client_end, asio::error::eof) << client_end.message();
}

TEST_P(tls_stream_loopback, handshake_succeeds_with_the_whole_first_read_preloaded) {
  handshake_after_preload(4096);  // the whole ClientHello, as server.cpp keeps it
}

TEST_P(tls_stream_loopback, handshake_succeeds_with_part_of_a_record_preloaded) {
  handshake_after_preload(10);  // the record header and a little: the stream reads the rest
}

// A client that connects and says nothing: the handshake ends at the deadline, and the
// stream is still usable: once the client does speak, a new handshake succeeds.
TEST_P(tls_stream_loopback, handshake_deadline_ends_with_timeout_and_the_stream_goes_on) {
  error_code first = not_run;
  error_code second = not_run;
  error_code client_end = not_run;
  clock_type::duration waited{};
  std::string request;
  std::string reply;
  event timed_out(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    auto start = clock_type::now();
    s.expires_after(150ms);
    std::tie(first, std::ignore) = co_await s.async_handshake(tuple);
    waited = clock_type::now() - start;
    timed_out.set();
    s.expires_after(5s);
    std::tie(second, std::ignore) = co_await s.async_handshake(tuple);
    if (!second) request = co_await answer(s);
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await c.next_layer().async_connect(endpoint(), awaitable);
    co_await timed_out.wait();
    auto [ec] = co_await c.async_handshake(ssl::stream_base::client, tuple);
    if (!ec) co_await ask(c, reply, client_end);
  };
  run(server(), client());
  EXPECT_EQ(first, boost::beast::error::timeout) << first.message();
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 2s);
  EXPECT_FALSE(second) << second.message();
  EXPECT_EQ(request, request_text);
  EXPECT_EQ(reply, reply_text);
}

// A read that completes before its deadline leaves the timer armed; a later, longer deadline
// must not end the next wait at the old time, and does end it at the new one.
TEST_P(tls_stream_loopback, a_deadline_moved_later_ends_the_wait_at_the_new_time) {
  std::string one;
  std::string two;
  error_code third = not_run;
  clock_type::duration third_waited{};
  event client_may_go(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    s.expires_after(100ms);
    one = co_await read_exactly(s, 4);
    auto start = clock_type::now();
    s.expires_after(300ms);
    two = co_await read_exactly(s, 4);  // the client sends at ~200 ms: past the old deadline
    std::array<char, 16> buf{};
    std::tie(third, std::ignore) = co_await s.async_read_some(asio::buffer(buf), tuple);
    third_waited = clock_type::now() - start;
    client_may_go.set();
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await sleep(20ms);
    co_await asio::async_write(c, asio::buffer(std::string("one!")), awaitable);
    co_await sleep(200ms);
    co_await asio::async_write(c, asio::buffer(std::string("two!")), awaitable);
    co_await client_may_go.wait();
  };
  run(server(), client());
  EXPECT_EQ(one, "one!");
  EXPECT_EQ(two, "two!");
  EXPECT_EQ(third, boost::beast::error::timeout) << third.message();
  EXPECT_GE(third_waited, 300ms);
  EXPECT_LT(third_waited, 2s);
}

// The deadline covers waiting to send too: a client that never reads stops the writes.
TEST_P(tls_stream_loopback, a_send_the_client_never_takes_ends_with_timeout) {
  const std::string payload = pattern(4 << 20);
  error_code write = not_run;
  clock_type::duration waited{};
  event server_done(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tcp::socket socket = co_await accept();
    socket.set_option(tcp::socket::send_buffer_size(16 * 1024));
    tls_stream s(std::move(socket), server_ctx());
    co_await s.async_handshake(awaitable);
    auto start = clock_type::now();
    s.expires_after(150ms);
    std::tie(write, std::ignore) = co_await asio::async_write(s, asio::buffer(payload), tuple);
    waited = clock_type::now() - start;
    server_done.set();
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    c.next_layer().open(tcp::v4());
    c.next_layer().set_option(tcp::socket::receive_buffer_size(16 * 1024));
    co_await connect_and_handshake(c);
    co_await server_done.wait();
  };
  run(server(), client());
  EXPECT_EQ(write, boost::beast::error::timeout) << write.message();
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 2s);
}

// cancel() ends a waiting read with operation_aborted (not timeout, though a deadline is
// set), and leaves the stream usable: the next read gets what the client sends afterwards.
TEST_P(tls_stream_loopback, cancel_ends_a_waiting_read_with_operation_aborted) {
  error_code cancelled = not_run;
  clock_type::duration waited{};
  std::string after;
  event client_may_send(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    s.expires_after(5s);
    asio::steady_timer canceller(ctx_, 50ms);
    canceller.async_wait([&s](const error_code& ec) {
      if (!ec) s.cancel();
    });
    auto start = clock_type::now();
    std::array<char, 16> buf{};
    std::tie(cancelled, std::ignore) = co_await s.async_read_some(asio::buffer(buf), tuple);
    waited = clock_type::now() - start;
    s.expires_never();
    client_may_send.set();
    after = co_await read_exactly(s, 4);
  };
  run(server(), send_when_told(client_may_send, "more"));
  EXPECT_EQ(cancelled, asio::error::operation_aborted) << cancelled.message();
  EXPECT_GE(waited, 50ms);
  EXPECT_EQ(after, "more");
}

// The session's event streams wait with `timer || read`: the timer winning cancels the read
// through its cancellation slot, and the stream must go on as after cancel().
TEST_P(tls_stream_loopback, a_read_cancelled_through_its_slot_leaves_the_stream_usable) {
  using namespace asio::experimental::awaitable_operators;
  std::size_t winner = 99;
  std::string after;
  event client_may_send(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    asio::steady_timer heartbeat(ctx_, 50ms);
    std::array<char, 16> buf{};
    auto result =
        co_await (heartbeat.async_wait(tuple) || s.async_read_some(asio::buffer(buf), tuple));
    winner = result.index();
    client_may_send.set();
    after = co_await read_exactly(s, 4);
  };
  run(server(), send_when_told(client_may_send, "more"));
  EXPECT_EQ(winner, 0u);
  EXPECT_EQ(after, "more");
}

// The client sends FIN (no close_notify) between records: the read ends with eof. A half
// close, so the server's unread ticket at the client does not turn it into a reset.
TEST_P(tls_stream_loopback, a_tcp_close_between_records_ends_a_read_with_eof) {
  std::string got;
  error_code end = not_run;
  event server_done(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    got = co_await read_exactly(s, 4);
    std::array<char, 16> buf{};
    std::tie(end, std::ignore) = co_await s.async_read_some(asio::buffer(buf), tuple);
    server_done.set();
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await asio::async_write(c, asio::buffer(std::string("ping")), awaitable);
    c.next_layer().shutdown(tcp::socket::shutdown_send);
    co_await server_done.wait();
  };
  run(server(), client());
  EXPECT_EQ(got, "ping");
  EXPECT_EQ(end, asio::error::eof) << end.message();
}

// The connection ends inside a record: its header promises 64 bytes, 2 come, then FIN.
TEST_P(tls_stream_loopback, a_tcp_close_inside_a_record_ends_a_read_with_eof) {
  error_code end = not_run;
  event server_done(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    std::array<char, 16> buf{};
    std::tie(end, std::ignore) = co_await s.async_read_some(asio::buffer(buf), tuple);
    server_done.set();
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    const std::array<unsigned char, 7> partial{0x17, 0x03, 0x03, 0x00, 0x40, 'x', 'y'};
    co_await asio::async_write(c.next_layer(), asio::buffer(partial), awaitable);
    c.next_layer().shutdown(tcp::socket::shutdown_send);
    co_await server_done.wait();
  };
  run(server(), client());
  EXPECT_EQ(end, asio::error::eof) << end.message();
}

// close_notify from the client ends the read with eof; the server's close_notify then
// completes the client's shutdown.
TEST_P(tls_stream_loopback, close_notify_from_the_client_ends_a_read_with_eof) {
  error_code end = not_run;
  error_code server_shutdown = not_run;
  error_code client_shutdown = not_run;
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    std::array<char, 16> buf{};
    std::tie(end, std::ignore) = co_await s.async_read_some(asio::buffer(buf), tuple);
    std::tie(server_shutdown, std::ignore) = co_await s.async_shutdown(tuple);
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    std::tie(client_shutdown) = co_await c.async_shutdown(tuple);
  };
  run(server(), client());
  EXPECT_EQ(end, asio::error::eof) << end.message();
  EXPECT_FALSE(server_shutdown) << server_shutdown.message();
  EXPECT_FALSE(client_shutdown) << client_shutdown.message();
}

// Plain HTTP sent to the TLS port: the handshake fails with OpenSSL's error, which is
// neither success nor the eof that means "the client went away".
TEST_P(tls_stream_loopback, plain_http_instead_of_a_client_hello_fails_the_handshake) {
  error_code handshake = not_run;
  event server_done(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    std::tie(handshake, std::ignore) = co_await s.async_handshake(tuple);
    server_done.set();
  };
  auto client = [&]() -> asio::awaitable<void> {
    tcp::socket c(ctx_);
    co_await c.async_connect(endpoint(), awaitable);
    co_await asio::async_write(c, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")), awaitable);
    co_await server_done.wait();
  };
  run(server(), client());
  EXPECT_TRUE(handshake.failed());
  EXPECT_NE(handshake, not_run);
  EXPECT_NE(handshake, asio::error::eof) << handshake.message();
  EXPECT_EQ(handshake.category(), asio::error::get_ssl_category()) << handshake.message();
}

// The streams below live on the heap, so that ASan sees their memory freed; in a coroutine
// frame it would stay allocated until the coroutine ends.

// Both waits complete long before their deadline, so the stream's timer is still armed when
// the stream goes; the io_context then runs past the deadline. Run under ASan.
TEST_P(tls_stream_loopback, destroying_the_stream_with_its_timer_armed_is_safe) {
  std::string request;
  std::string reply;
  error_code client_end = not_run;
  bool slept_past_deadline = false;
  auto server = [&]() -> asio::awaitable<void> {
    auto s = std::make_unique<tls_stream>(co_await accept(), server_ctx());
    s->expires_after(100ms);
    co_await s->async_handshake(awaitable);
    request = co_await answer(*s);
    s.reset();
    co_await sleep(150ms);
    slept_past_deadline = true;
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await sleep(20ms);  // so the server's read waits too
    co_await ask(c, reply, client_end);
  };
  run(server(), client());
  EXPECT_EQ(request, request_text);
  EXPECT_EQ(reply, reply_text);
  EXPECT_TRUE(slept_past_deadline);
}

// The thread is busy while the deadline passes, so one pass of the event loop finds two
// timers due: first one whose handler destroys the stream, then the stream's own, whose
// handler must find the stream gone. Run under ASan.
TEST_P(tls_stream_loopback, destroying_the_stream_while_its_timer_handler_is_queued_is_safe) {
  std::string request;
  clock_type::duration destroyed_after{};
  event client_may_send(ctx_);
  event server_done(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    auto s = std::make_unique<tls_stream>(co_await accept(), server_ctx());
    co_await s->async_handshake(awaitable);
    auto start = clock_type::now();
    s->expires_after(100ms);
    client_may_send.set();
    request = co_await read_exactly(*s, 4);            // waits: the timer is armed
    asio::steady_timer destroyer(ctx_, start + 99ms);  // due just before the stream's timer
    event destroyed(ctx_);
    destroyer.async_wait([&](const error_code&) {
      s.reset();
      destroyed_after = clock_type::now() - start;
      destroyed.set();
    });
    std::this_thread::sleep_until(start + 130ms);  // both become due while nothing runs
    co_await destroyed.wait();
    co_await sleep(10ms);  // the stream's timer handler runs in here, if not already
    server_done.set();
  };
  auto client = [&]() -> asio::awaitable<void> {
    client_stream c(ctx_, client_tls_);
    co_await connect_and_handshake(c);
    co_await client_may_send.wait();
    co_await asio::async_write(c, asio::buffer(std::string("ping")), awaitable);
    co_await server_done.wait();
  };
  run(server(), client());
  EXPECT_EQ(request, "ping");
  EXPECT_GE(destroyed_after, 130ms) << "the two timers were not due together";
}

// The deadline passes while no operation waits (the timer's handler runs and finds none);
// once a new deadline is set, operations work as before.
TEST_P(tls_stream_loopback, a_deadline_passing_while_nothing_waits_spares_later_operations) {
  std::string request;
  std::string reply;
  error_code client_end = not_run;
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    s.expires_after(50ms);
    co_await s.async_handshake(awaitable);
    co_await sleep(100ms);  // the deadline passes here
    s.expires_never();
    request = co_await answer(s);
  };
  run(server(), client_asks(reply, client_end));
  EXPECT_EQ(request, request_text);
  EXPECT_EQ(reply, reply_text);
}

INSTANTIATE_TEST_SUITE_P(versions, tls_stream_loopback,
                         ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const ::testing::TestParamInfo<int>& version) {
                           return version.param == TLS1_3_VERSION ? std::string("tls13")
                                                                  : std::string("tls12");
                         });

}  // namespace
