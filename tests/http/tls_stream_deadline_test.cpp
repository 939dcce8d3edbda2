// tls_stream's deadline and cancellation over real TCP connections on 127.0.0.1, at both
// TLS versions: timeouts while receiving and sending, cancel() and cancellation slots, and
// the deadline timer outliving (or not) its stream.
#include "http/tls_loopback.hpp"

namespace {

using namespace breakwater::http::testing;

class tls_stream_deadlines : public tls_loopback {};

// A client that connects and says nothing: the handshake ends at the deadline, and the
// stream is still usable: once the client does speak, a new handshake succeeds.
TEST_P(tls_stream_deadlines, handshake_deadline_ends_with_timeout_and_the_stream_goes_on) {
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
TEST_P(tls_stream_deadlines, a_deadline_moved_later_ends_the_wait_at_the_new_time) {
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
TEST_P(tls_stream_deadlines, a_send_the_client_never_takes_ends_with_timeout) {
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
TEST_P(tls_stream_deadlines, cancel_ends_a_waiting_read_with_operation_aborted) {
  error_code cancelled = not_run;
  clock_type::duration waited{};
  std::string after;
  event client_may_send(ctx_);
  auto server = [&]() -> asio::awaitable<void> {
    tls_stream s(co_await accept(), server_ctx());
    co_await s.async_handshake(awaitable);
    s.expires_after(5s);
    // Taken before the canceller is armed: its 50 ms count from then.
    auto start = clock_type::now();
    asio::steady_timer canceller(ctx_, 50ms);
    canceller.async_wait([&s](const error_code& ec) {
      if (!ec) s.cancel();
    });
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
TEST_P(tls_stream_deadlines, a_read_cancelled_through_its_slot_leaves_the_stream_usable) {
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

// The streams below live on the heap, so that ASan sees their memory freed; in a coroutine
// frame it would stay allocated until the coroutine ends.

// Both waits complete long before their deadline, so the stream's timer is still armed when
// the stream goes; the io_context then runs past the deadline. Run under ASan.
TEST_P(tls_stream_deadlines, destroying_the_stream_with_its_timer_armed_is_safe) {
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
TEST_P(tls_stream_deadlines, destroying_the_stream_while_its_timer_handler_is_queued_is_safe) {
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
TEST_P(tls_stream_deadlines, a_deadline_passing_while_nothing_waits_spares_later_operations) {
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

INSTANTIATE_TEST_SUITE_P(versions, tls_stream_deadlines,
                         ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), version_name);

}  // namespace
