// tls_stream over real TCP connections on 127.0.0.1, against Asio's TLS client, at both
// TLS versions: handshakes, large and deferred output, preloaded input, and the ways a
// connection ends. Deadlines and cancellation: tls_stream_deadline_test.cpp.
#include "http/tls_loopback.hpp"

namespace {

using namespace breakwater::http::testing;

class tls_stream_loopback : public tls_loopback {
 protected:
  // The server reads its first bytes itself (at most `limit`), then hands them to the stream.
  void handshake_after_preload(std::size_t limit);
};

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

INSTANTIATE_TEST_SUITE_P(versions, tls_stream_loopback,
                         ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), version_name);

}  // namespace
