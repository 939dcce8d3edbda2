// The raw-SYN backend on loopback (127.0.0.1 and ::1 only; root or CAP_NET_RAW, else skipped):
// open ports answer SYN-ACK and are never connected, closed ones reset, answers reach the
// right probe among hundreds, and an idle prober leaves its io_context without work.
#include "probe/raw_syn_prober.hpp"
#include "probe/engine.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <map>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace std::chrono_literals;

struct raw_syn : ::testing::Test {
  asio::io_context ctx;
  std::shared_ptr<raw_syn_prober> prober;

  void SetUp() override {
    auto p = raw_syn_prober::open(ctx.get_executor());
    if (!p) GTEST_SKIP() << "no raw sockets here: " << p.error().message();
    prober = *p;
  }

  // Runs until every probe is done: the io_context must run out of work on its own.
  std::vector<probe_outcome> probe_all(const asio::ip::address& a,
                                       const std::vector<std::uint16_t>& ports) {
    std::vector<std::future<probe_outcome>> futures;
    for (std::uint16_t p : ports) {
      futures.push_back(asio::co_spawn(ctx, prober->probe(a, p, 2s), asio::use_future));
    }
    ctx.run();
    ctx.restart();
    std::vector<probe_outcome> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
  }

  std::uint16_t closed_port(const asio::ip::address& a) {
    asio::ip::tcp::acceptor gone(ctx, {a, 0});
    return gone.local_endpoint().port();
  }
};

TEST_F(raw_syn, open_port_answers_syn_ack_and_no_connection_is_made) {
  auto lo = asio::ip::make_address("127.0.0.1");
  asio::ip::tcp::acceptor listener(ctx, {lo, 0});
  auto o = probe_all(lo, {listener.local_endpoint().port()}).at(0);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_GT(o.rtt, 0ns);
  // The kernel reset the SYN-ACK: nothing waits in the accept queue.
  listener.non_blocking(true);
  boost::system::error_code ec;
  asio::ip::tcp::socket s(ctx);
  listener.accept(s, ec);
  EXPECT_EQ(ec, asio::error::would_block) << ec.message();
}

TEST_F(raw_syn, closed_port_refuses_with_a_reset) {
  auto lo = asio::ip::make_address("127.0.0.1");
  auto o = probe_all(lo, {closed_port(lo)}).at(0);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::rst);
  EXPECT_EQ(o.state(), port_state::closed);
}

TEST_F(raw_syn, ipv6_open_and_closed) {
  boost::system::error_code ec;
  auto lo6 = asio::ip::make_address("::1");
  asio::ip::tcp::acceptor listener(ctx);
  listener.open(asio::ip::tcp::v6(), ec);
  if (!ec) listener.bind({lo6, 0}, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  listener.listen();
  auto out = probe_all(lo6, {listener.local_endpoint().port(), closed_port(lo6)});
  EXPECT_EQ(out[0].why, reason::syn_ack);
  EXPECT_EQ(out[1].why, reason::rst);
  EXPECT_EQ(out[1].what, probe_outcome::kind::answered);
}

TEST_F(raw_syn, each_answer_reaches_its_own_probe_among_hundreds) {
  auto lo = asio::ip::make_address("127.0.0.1");
  std::vector<asio::ip::tcp::acceptor> listeners;
  std::map<std::uint16_t, bool> open;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0) {
      listeners.emplace_back(ctx, asio::ip::tcp::endpoint(lo, 0));
      ports.push_back(listeners.back().local_endpoint().port());
      open[ports.back()] = true;
    } else {
      ports.push_back(closed_port(lo));
    }
  }
  auto out = probe_all(lo, ports);
  for (std::size_t i = 0; i < ports.size(); ++i) {
    EXPECT_EQ(out[i].what, probe_outcome::kind::answered) << ports[i];
    EXPECT_EQ(out[i].why, open.contains(ports[i]) ? reason::syn_ack : reason::rst) << ports[i];
  }
}

// Loopback answers every SYN at once: a fast scan must read every answer, not time out on
// answers still waiting in the socket behind the event loop's other work.
TEST_F(raw_syn, a_fast_scan_reads_every_answer_on_its_first_try) {
  engine_options eo;
  eo.backend = prober;
  eo.max_rate = 200000;
  engine e(ctx.get_executor(), eo);
  scan_request r;
  r.target = asio::ip::make_address("127.0.0.1");
  r.ports = *parse_port_set("20000-29999");
  r.options.rate = 100000;
  auto f = asio::co_spawn(ctx, e.scan(std::move(r)), asio::use_future);
  ctx.run();
  auto result = f.get();
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->summary().stealth, 0u);
  std::size_t retried = 0;
  for (const auto& p : result->ports) retried += p.tries > 1 ? 1 : 0;
  EXPECT_EQ(retried, 0u);
}

TEST_F(raw_syn, the_same_port_twice_at_once_gets_two_answers) {
  auto lo = asio::ip::make_address("127.0.0.1");
  std::uint16_t port = closed_port(lo);
  auto out = probe_all(lo, {port, port});
  EXPECT_EQ(out[0].why, reason::rst);
  EXPECT_EQ(out[1].why, reason::rst);
}

}  // namespace
