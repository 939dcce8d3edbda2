// UDP tries that linger past their timeouts (loopback, 127.0.0.1 only): a late answer and a
// late ICMP error reach the try's own socket and are reported late; the prober's bound on
// lingering sockets holds, a cancelled lingering try closes its socket, the engine keeps
// descriptors aside for them, and a scan calls a port that answered late open.
#include "probe/engine.hpp"
#include "probe/probers/udp_prober.hpp"
#include "support/packet_bytes.hpp"
#include "support/recording_sink.hpp"
#include "support/scan_now.hpp"
#include "support/udp_test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace breakwater::probe::testing;
using namespace std::chrono_literals;

const asio::ip::address localhost = asio::ip::make_address("127.0.0.1");

// Answers the first datagram `delay` after it came; or, with `reply` false, keeps it
// unanswered (a silent port whose datagrams the test may still see).
struct late_server {
  std::atomic<std::uint16_t> asked_from_port{0};  // the try's source port, once it asked
  udp_test_server server;  // after what its thread writes: joined before it goes

  late_server(std::chrono::milliseconds delay, bool reply = true)
      : server([this, delay, reply](asio::ip::udp::socket& sock,
                                    const asio::ip::udp::endpoint& asker) {
          asked_from_port = asker.port();
          std::this_thread::sleep_for(delay);
          boost::system::error_code ec;
          if (reply) sock.send_to(asio::buffer(std::string("late")), asker, 0, ec);
        }) {}
  std::uint16_t port() const { return server.port(); }
};

std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(
      std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{}));
}

struct udp_linger : ::testing::Test {
  asio::io_context ctx;
  recording_sink sink{ctx.get_executor()};

  static probe_try try_of(std::uint16_t port, probe_tag tag, duration linger = 2s) {
    probe_try t{localhost, port, 100ms, tag};
    t.linger = linger;
    return t;
  }
};

TEST_F(udp_linger, an_answer_after_the_timeout_is_heard_late) {
  auto p = std::make_shared<udp_prober>();
  late_server server(400ms);
  p->start(try_of(server.port(), 1), sink);
  ctx.run();
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent) << "silent at its timeout";
  EXPECT_TRUE(sink.got[0].second.still_heard);
  ASSERT_EQ(sink.late_got.size(), 1u);
  const probe_outcome& o = sink.late_got[0].second;
  EXPECT_EQ(sink.late_got[0].first, 1u);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.state(), port_state::open);
  EXPECT_GE(o.rtt, 400ms);
  ASSERT_TRUE(o.udp);
  EXPECT_EQ(o.udp->bytes_in, 4u);
  EXPECT_EQ(p->lingering(), 0u) << "the place is given back";
}

TEST_F(udp_linger, without_a_linger_the_try_ends_at_its_timeout) {
  auto p = std::make_shared<udp_prober>();
  late_server server(400ms);
  p->start(try_of(server.port(), 1, 0s), sink);
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 350ms);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
  EXPECT_FALSE(sink.got[0].second.still_heard);
  EXPECT_TRUE(sink.late_got.empty());
}

TEST_F(udp_linger, an_answer_after_the_linger_is_not_heard) {
  auto p = std::make_shared<udp_prober>();
  late_server server(600ms);
  p->start(try_of(server.port(), 1, 200ms), sink);
  ctx.run();
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
  EXPECT_TRUE(sink.late_got.empty());
}

// Tries past the prober's bound are not heard after their timeouts: with room for one, only
// one of two late answers is.
TEST_F(udp_linger, the_bound_on_lingering_sockets_holds) {
  udp_prober_options o;
  o.max_lingering = 1;
  auto p = std::make_shared<udp_prober>(o);
  late_server a(400ms);
  late_server b(400ms);
  p->start(try_of(a.port(), 1), sink);
  p->start(try_of(b.port(), 2), sink);
  std::size_t most = 0;
  asio::steady_timer look(ctx);
  look.expires_after(250ms);
  look.async_wait([&](boost::system::error_code) { most = p->lingering(); });
  ctx.run();
  EXPECT_EQ(most, 1u);
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_NE(sink.got[0].second.still_heard, sink.got[1].second.still_heard)
      << "the try past the bound is silent and over";
  EXPECT_EQ(sink.late_got.size(), 1u);
  EXPECT_EQ(p->lingering(), 0u);

  EXPECT_EQ(p->limit_lingering_descriptors(0), 0u);
  EXPECT_FALSE(p->lingers()) << "a prober allowed no lingering socket does not linger";
}

TEST_F(udp_linger, a_cancelled_lingering_try_closes_its_socket_and_reports_nothing_more) {
  auto p = std::make_shared<udp_prober>();
  late_server server(800ms);
  { asio::ip::udp::socket warm(ctx, asio::ip::udp::v4()); }  // the reactor's own descriptors
  const std::size_t before = open_descriptors();
  probe_handle h = p->start(try_of(server.port(), 1), sink);
  std::size_t lingering = 0;
  asio::steady_timer cancel(ctx);
  cancel.expires_after(300ms);
  cancel.async_wait([&](boost::system::error_code) {
    lingering = p->lingering();
    p->cancel(h);
  });
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 700ms);
  EXPECT_EQ(lingering, 1u);
  EXPECT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
  EXPECT_EQ(p->lingering(), 0u);
  EXPECT_EQ(open_descriptors(), before);
}

// --- A late ICMP error. Loopback delivers an error at once, so the test forges the one a
// path would have held back: a port unreachable from 127.0.0.1 quoting the try's datagram,
// sent once the try is past its timeout. Needs a raw ICMP socket (root or CAP_NET_RAW).

// ICMP port unreachable quoting a UDP datagram 127.0.0.1:`sport` -> 127.0.0.1:`dport`.
packet udp_port_unreachable(std::uint16_t sport, std::uint16_t dport) {
  packet m{3, 3, 0, 0, 0, 0, 0, 0};
  packet ip{0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
  m.insert(m.end(), ip.begin(), ip.end());
  packet udp(8, 0);
  put16(udp, 0, sport);
  put16(udp, 2, dport);
  put16(udp, 4, 12);
  m.insert(m.end(), udp.begin(), udp.end());
  put16(m, 2, checksum(m));
  return m;
}

TEST_F(udp_linger, an_icmp_error_after_the_timeout_is_heard_late) {
  int icmp = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (icmp < 0) GTEST_SKIP() << "no raw ICMP socket to forge the late error";
  auto p = std::make_shared<udp_prober>();
  late_server silent(0ms, false);
  p->start(try_of(silent.port(), 1), sink);
  asio::steady_timer forge(ctx);
  forge.expires_after(300ms);
  forge.async_wait([&](boost::system::error_code) {
    const std::uint16_t sport = silent.asked_from_port;
    if (sport == 0) return;  // never asked: the checks below fail
    packet m = udp_port_unreachable(sport, silent.port());
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(icmp, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  });
  ctx.run();
  ::close(icmp);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
  ASSERT_EQ(sink.late_got.size(), 1u);
  const probe_outcome& o = sink.late_got[0].second;
  EXPECT_EQ(o.why, reason::icmp_unreachable);
  EXPECT_EQ(o.state(), port_state::closed);
  EXPECT_GE(o.rtt, 300ms);
}

// The engine keeps descriptors aside for lingering sockets: the tries in flight and the
// lingering ones together stay within what the process may open, less the engine's reserve.
TEST_F(udp_linger, the_engine_sets_descriptors_aside_for_lingering_tries) {
  udp_prober_options o;
  o.max_lingering = std::size_t{1} << 40;
  auto p = std::make_shared<udp_prober>(o);
  engine_options eo;
  eo.max_in_flight = std::size_t{1} << 40;
  eo.udp_backend = p;
  engine e(ctx.get_executor(), eo);
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);  // as the engine raised it
  // The engine's reserve for the rest of the process (engine.cpp: reserved_fds).
  const std::size_t fds = lim.rlim_cur;
  const std::size_t room = fds > 512 ? fds - 256 : fds / 2;
  const std::size_t held = p->max_lingering();
  EXPECT_EQ(held, room / 4);
  EXPECT_EQ(e.max_in_flight() + held, room);
}

// A scan whose port answers only its first try, after that try's timeout: the answer reaches
// the first try's socket while it lingers, and the port is open (without the linger it was
// called silent: the second try's socket hears nothing).
TEST_F(udp_linger, a_scan_calls_a_port_that_answered_late_open) {
  late_server server(250ms);
  scan_request req;
  req.target = localhost;
  req.udp_ports.add(server.port());
  req.options.rto.initial = 150ms;
  req.options.rto.hedge = duration::zero();
  req.options.tries = 2;
  auto r = breakwater::probe::testing::scan_now(ctx, std::move(req));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->udp.size(), 1u);
  EXPECT_EQ(r->udp[0].state, port_state::open);
  ASSERT_TRUE(r->udp[0].udp);
  EXPECT_EQ(r->udp[0].udp->bytes_in, 4u);
}

}  // namespace
