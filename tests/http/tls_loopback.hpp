// The bed for tls_stream's loopback tests: a server certificate for the suite, one
// io_context, a listener on 127.0.0.1, Asio's TLS client pinned to the version under test,
// and the small coroutines both sides use.
#pragma once

#include "http/transport/certificate.hpp"
#include "http/transport/tls.hpp"
#include "http/transport/tls_stream.hpp"

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

namespace breakwater::http::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using breakwater::http::tls_stream;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;
using client_stream = ssl::stream<tcp::socket>;
using namespace std::chrono_literals;

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto awaitable = asio::use_awaitable;

inline const std::string request_text = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
inline const std::string reply_text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

// An error code no operation here returns: "the step never completed".
inline const error_code not_run = asio::error::in_progress;

inline asio::awaitable<void> sleep(clock_type::duration d) {
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
inline std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 1;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

inline asio::awaitable<std::string> read_exactly(tls_stream& s, std::size_t n) {
  std::string got(n, '\0');
  co_await asio::async_read(s, asio::buffer(got), awaitable);
  co_return got;
}

// The server's usual round once the handshake is done: the request in, the reply out, then
// close_notify (which also sends the reply, still buffered until then).
inline asio::awaitable<std::string> answer(tls_stream& s) {
  std::string got = co_await read_exactly(s, request_text.size());
  co_await asio::async_write(s, asio::buffer(reply_text), awaitable);
  co_await s.async_shutdown(awaitable);
  co_return got;
}

// Parameter: the TLS version the client pins (TLS1_2_VERSION or TLS1_3_VERSION).
class tls_loopback : public ::testing::TestWithParam<int> {
 public:
  // One certificate for the whole suite: a key per test would only cost time.
  static void SetUpTestSuite() {
    std::string dir = (std::filesystem::temp_directory_path() / "bw-tls-stream-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    state_dir_ = dir;
    auto files = breakwater::http::ensure_self_signed(state_dir_);
    ASSERT_TRUE(files) << files.error().message();
    auto made = breakwater::http::make_tls_context(files->cert, files->key);
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

  inline static std::string state_dir_;
  inline static std::shared_ptr<ssl::context> server_tls_;

  asio::io_context ctx_;
  tcp::acceptor acceptor_{ctx_, {asio::ip::make_address("127.0.0.1"), 0}};
  ssl::context client_tls_{ssl::context::tls_client};
};

// Test names end in the version: .../tls12, .../tls13.
inline std::string version_name(const ::testing::TestParamInfo<int>& version) {
  return version.param == TLS1_3_VERSION ? "tls13" : "tls12";
}

}  // namespace breakwater::http::testing
