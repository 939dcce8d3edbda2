// The reach test's sender over real sockets on 127.0.0.1: datagrams and connections arrive
// with the message, refusals are told apart from silence, and a stop ends it at once.
#include "probe/reach_sender.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>

#include <array>
#include <chrono>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace std::chrono_literals;

const auto localhost = asio::ip::make_address("127.0.0.1");

reach_send_options quick() {
  reach_send_options o;
  o.udp_schedule = {0ms, 20ms, 40ms};
  o.udp_tail = 50ms;
  o.tcp_tries = 3;
  o.tcp_connect_deadline = 500ms;
  o.tcp_write_deadline = 500ms;
  o.tcp_close_deadline = 200ms;
  o.tcp_retry_gap = 20ms;
  return o;
}

struct reach_sender : ::testing::Test {
  asio::io_context ctx;
  unsigned sends = 0;

  reach_send_result send(reach_transport t, std::uint16_t port, std::stop_token stop = {},
                         reach_send_options o = quick()) {
    reach_send_request q;
    q.target = localhost;
    q.port = port;
    q.transport = t;
    q.message = reach_message("id", "0123456789abcdef0123456789abcdef");
    q.options = std::move(o);
    q.stop = std::move(stop);
    q.on_send = [this] { ++sends; };
    auto f = asio::co_spawn(ctx, send_reach(std::move(q)), asio::use_future);
    ctx.run();
    ctx.restart();
    return f.get();
  }

  std::uint16_t unused_port(bool udp) {
    if (udp) {
      asio::ip::udp::socket s(ctx, {localhost, 0});
      return s.local_endpoint().port();
    }
    asio::ip::tcp::acceptor a(ctx, {localhost, 0});
    return a.local_endpoint().port();
  }
};

TEST_F(reach_sender, udp_datagrams_arrive_each_with_the_message) {
  asio::ip::udp::socket receiver(ctx, {localhost, 0});
  reach_send_result r = send(reach_transport::udp, receiver.local_endpoint().port());
  EXPECT_EQ(r.delivery, reach_delivery::sent);
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(sends, 3u);
  std::array<char, 256> buf{};
  for (int i = 0; i < 3; ++i) {
    std::size_t n = receiver.receive(asio::buffer(buf));
    EXPECT_EQ(std::string(buf.data(), n), "breakwater-reach id 0123456789abcdef0123456789abcdef\n");
  }
}

TEST_F(reach_sender, udp_port_unreachable_is_a_refusal) {
  reach_send_result r = send(reach_transport::udp, unused_port(true));
  EXPECT_EQ(r.delivery, reach_delivery::refused);
  EXPECT_EQ(r.attempts, 3u);
}

TEST_F(reach_sender, tcp_connects_writes_and_closes) {
  asio::ip::tcp::acceptor listener(ctx, {localhost, 0});
  // The listener's backlog holds the connection; read it after the sender is done.
  reach_send_result r = send(reach_transport::tcp, listener.local_endpoint().port());
  EXPECT_EQ(r.delivery, reach_delivery::written);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(sends, 1u);
  asio::ip::tcp::socket s(ctx);
  listener.accept(s);
  boost::system::error_code ec;
  std::array<char, 256> buf{};
  std::size_t n = asio::read(s, asio::buffer(buf), ec);  // to the sender's FIN
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(std::string(buf.data(), n), "breakwater-reach id 0123456789abcdef0123456789abcdef\n");
}

TEST_F(reach_sender, tcp_refusals_are_tried_again_then_reported) {
  reach_send_result r = send(reach_transport::tcp, unused_port(false));
  EXPECT_EQ(r.delivery, reach_delivery::refused);
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(sends, 0u);  // nothing was ever written
}

TEST_F(reach_sender, a_stop_ends_the_sending_at_once) {
  asio::ip::udp::socket receiver(ctx, {localhost, 0});
  reach_send_options slow = quick();
  slow.udp_schedule = {0ms, 10s, 20s};
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    stop.request_stop();
  });
  auto start = std::chrono::steady_clock::now();
  reach_send_result r =
      send(reach_transport::udp, receiver.local_endpoint().port(), stop.get_token(), slow);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(r.attempts, 1u);
  EXPECT_EQ(r.delivery, reach_delivery::sent);
}

TEST_F(reach_sender, a_stop_before_the_start_sends_nothing) {
  asio::ip::udp::socket receiver(ctx, {localhost, 0});
  std::stop_source stop;
  stop.request_stop();
  reach_send_result r =
      send(reach_transport::udp, receiver.local_endpoint().port(), stop.get_token());
  EXPECT_EQ(r.attempts, 0u);
  EXPECT_EQ(sends, 0u);
}

}  // namespace
