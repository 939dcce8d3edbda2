// The UDP prober and the engine's UDP path on loopback (127.0.0.1 only): an answer makes the
// port open with its bytes and amplification counted over every datagram, the host's port
// unreachable makes it closed, a bound socket that never answers is silence, and a scan with
// TCP and UDP ports keeps them apart.
#include "probe/probers/udp_prober.hpp"
#include "probe/engine.hpp"
#include "support/scan_now.hpp"
#include "support/udp_test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_future.hpp>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using breakwater::probe::testing::udp_test_server;
using namespace std::chrono_literals;

const asio::ip::address localhost = asio::ip::make_address("127.0.0.1");

struct udp_loopback : ::testing::Test {
  asio::io_context ctx;

  probe_outcome probe_once(std::uint16_t port, duration timeout = 2s) {
    udp_prober p;
    auto f = asio::co_spawn(ctx, p.probe(localhost, port, timeout), asio::use_future);
    ctx.run();
    ctx.restart();
    return f.get();
  }
};

// Answers the first datagram with `answers` datagrams of `size` bytes each.
struct answering_socket {
  udp_test_server server;
  answering_socket(int answers, std::size_t size)
      : server([answers, size](asio::ip::udp::socket& sock, const asio::ip::udp::endpoint& asker) {
          std::string reply(size, 'x');
          boost::system::error_code ec;
          for (int i = 0; i < answers; ++i) sock.send_to(asio::buffer(reply), asker, 0, ec);
        }) {}
  std::uint16_t port() const { return server.port(); }
};

TEST_F(udp_loopback, an_answer_is_open_with_every_datagram_counted) {
  answering_socket server(3, 100);
  probe_outcome o = probe_once(server.port());
  ASSERT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::udp_answer);
  EXPECT_EQ(o.state(), port_state::open);
  ASSERT_TRUE(o.udp);
  EXPECT_EQ(o.udp->protocol, "generic");
  EXPECT_EQ(o.udp->datagrams, 3u);
  EXPECT_EQ(o.udp->bytes_in, 300u);
  EXPECT_GT(o.udp->bytes_out, 0u);
  EXPECT_DOUBLE_EQ(o.udp->amplification(), 300.0 / static_cast<double>(o.udp->bytes_out));
  EXPECT_FALSE(o.udp->text.empty());
}

// What all tries keep of their answers is bounded: past the prober's cap an answer is only
// counted, and a try gives its share back when it ends.
TEST_F(udp_loopback, kept_answer_bytes_are_capped_across_tries_and_given_back) {
  udp_prober_options o;
  o.max_kept_bytes = 100;
  udp_prober p(o);
  auto probe = [&](std::uint16_t port) {
    auto f = asio::co_spawn(ctx, p.probe(localhost, port, 2s), asio::use_future);
    ctx.run();
    ctx.restart();
    return f.get();
  };
  {
    answering_socket server(3, 100);
    probe_outcome a = probe(server.port());
    ASSERT_TRUE(a.udp);
    EXPECT_EQ(a.udp->datagrams, 3u) << "every datagram is counted";
    EXPECT_EQ(a.udp->bytes_in, 300u);
    EXPECT_EQ(a.udp->text, std::string(100, 'x')) << "the first is kept";
  }
  answering_socket again(1, 100);
  probe_outcome b = probe(again.port());
  ASSERT_TRUE(b.udp);
  EXPECT_EQ(b.udp->text, std::string(100, 'x')) << "the first try gave its bytes back";
  o.max_kept_bytes = 0;
  udp_prober none(o);
  answering_socket third(2, 50);
  auto f = asio::co_spawn(ctx, none.probe(localhost, third.port(), 2s), asio::use_future);
  ctx.run();
  ctx.restart();
  probe_outcome c = f.get();
  EXPECT_EQ(c.state(), port_state::open) << "an answer not kept still makes the port open";
  ASSERT_TRUE(c.udp);
  EXPECT_EQ(c.udp->datagrams, 2u);
  EXPECT_TRUE(c.udp->text.empty());
}

TEST_F(udp_loopback, port_unreachable_is_closed) {
  std::uint16_t port = 0;
  {
    asio::ip::udp::socket s(ctx, {localhost, 0});
    port = s.local_endpoint().port();
  }  // closed again: nothing listens there now
  probe_outcome o = probe_once(port);
  ASSERT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::icmp_unreachable);
  ASSERT_TRUE(o.icmp);
  EXPECT_TRUE(is_port_unreachable(*o.icmp, false));
  EXPECT_TRUE(o.icmp->from.is_unspecified());  // the target itself
  EXPECT_EQ(o.state(), port_state::closed);
}

TEST_F(udp_loopback, another_unreachable_is_filtered_and_a_silent_socket_is_silence) {
  probe_outcome admin;
  admin.what = probe_outcome::kind::answered;
  admin.proto = transport::udp;
  admin.why = reason::icmp_unreachable;
  admin.icmp = icmp_info{3, 13, {}};
  EXPECT_EQ(admin.state(), port_state::filtered);
  admin.proto = transport::tcp;  // TCP keeps calling every unreachable closed
  EXPECT_EQ(admin.state(), port_state::closed);

  asio::ip::udp::socket quiet(ctx, {localhost, 0});
  probe_outcome o = probe_once(quiet.local_endpoint().port(), 200ms);
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
  EXPECT_EQ(o.state(), port_state::stealth);
}

TEST_F(udp_loopback, a_scan_keeps_tcp_and_udp_apart) {
  asio::ip::tcp::acceptor tcp_open(ctx, {localhost, 0});
  answering_socket udp_open(1, 10);
  scan_request req;
  req.target = localhost;
  req.ports.add(tcp_open.local_endpoint().port());
  req.udp_ports.add(udp_open.port());
  std::vector<transport> seen;
  req.on_verdict = [&](const port_result& p, const scan_progress&) { seen.push_back(p.proto); };
  auto r = breakwater::probe::testing::scan_now(ctx, std::move(req));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->ports.size(), 1u);
  ASSERT_EQ(r->udp.size(), 1u);
  EXPECT_EQ(r->ports[0].proto, transport::tcp);
  EXPECT_EQ(r->ports[0].state, port_state::open);
  EXPECT_EQ(r->udp[0].proto, transport::udp);
  EXPECT_EQ(r->udp[0].state, port_state::open);
  ASSERT_TRUE(r->udp[0].udp);
  EXPECT_EQ(r->udp[0].udp->bytes_in, 10u);
  EXPECT_EQ(r->udp_summary().open, 1u);
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
