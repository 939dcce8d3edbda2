// The raw-SYN backend on loopback (127.0.0.1 and ::1 only; root or CAP_NET_RAW, else skipped):
// open ports answer SYN-ACK and are never connected, closed ones reset, answers reach the
// right probe among hundreds, an idle prober leaves its io_context without work, and answers
// forged by a third party who saw the SYN but got one field wrong change no verdict.
#include "raw_syn_test_bed.hpp"

#include <functional>
#include <map>
#include <thread>

namespace {

using namespace breakwater::probe;
using namespace breakwater::probe::raw_syn_test;

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

// --- Forged answers. A third party on the path (here: the test itself) sees our SYN and sends
// answers that get one field wrong; only an exact answer may settle the probe.

// A try cancelled before it leaves or while it waits reports nothing and keeps nothing
// waiting: the io_context runs out of work when the one other try times out.
TEST_F(raw_syn, a_cancelled_try_reports_nothing_and_holds_no_work) {
  silent_port silent(ctx);
  recording_sink sink(ctx.get_executor());
  auto lo = asio::ip::make_address("127.0.0.1");
  prober->start({lo, silent.port, 300ms, 1}, sink);
  prober->cancel(prober->start({lo, silent.port, 20s, 2}, sink));  // before it is sent
  ctx.run_for(50ms);
  probe_handle waiting = prober->start({lo, silent.port, 20s, 3}, sink);
  ctx.run_for(50ms);
  prober->cancel(waiting);
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first, 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
}

struct raw_syn_forgery : raw_syn {
  // Probes the silent port while `answer` (in another thread) sees the SYN and replies.
  probe_outcome probe_answered_by(
      const std::function<void(forger&, std::uint16_t port, const sniffed_syn&)>& answer) {
    silent_port silent(ctx);
    forger f;
    if (!f.ok()) return {};
    std::thread t([&f, &silent, &answer] {
      if (auto syn = f.wait_for_syn(silent.port)) answer(f, silent.port, *syn);
    });
    auto o = probe_all(asio::ip::make_address("127.0.0.1"), {silent.port}).at(0);
    t.join();
    return o;
  }
};

TEST_F(raw_syn_forgery, the_silent_port_is_silent) {
  auto o = probe_answered_by([](forger&, std::uint16_t, const sniffed_syn&) {});
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

TEST_F(raw_syn_forgery, a_reset_or_syn_ack_with_the_wrong_ack_changes_nothing) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    for (std::uint32_t ack : {syn.seq, syn.seq + 2, syn.seq - 1, 0u}) {
      f.send(f.tcp, segment(port, syn.source_port, 0, ack, 0x14));  // RST+ACK
      f.send(f.tcp, segment(port, syn.source_port, 5, ack, 0x12));  // SYN+ACK
    }
    // The right ack, from another port or to another of ours.
    f.send(f.tcp,
           segment(static_cast<std::uint16_t>(port + 1), syn.source_port, 0, syn.seq + 1, 0x14));
    f.send(f.tcp,
           segment(port, static_cast<std::uint16_t>(syn.source_port + 1), 0, syn.seq + 1, 0x14));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

TEST_F(raw_syn_forgery, an_icmp_error_quoting_another_source_or_seq_changes_nothing) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.icmp, unreachable(2, syn.source_port, port, syn.seq));  // from 127.0.0.2, not us
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq + 1));
    f.send(f.icmp, unreachable(1, syn.source_port, static_cast<std::uint16_t>(port + 1), syn.seq));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

// The controls: the same injection with every field right does reach the prober.
TEST_F(raw_syn_forgery, an_exact_reset_is_taken) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.tcp, segment(port, syn.source_port, 0, syn.seq + 1, 0x14));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::rst);
}

TEST_F(raw_syn_forgery, an_exact_syn_ack_at_once_is_taken_and_timed) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 1, 0x12));
  });
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_TRUE(o.timed);
  EXPECT_LT(o.rtt, tcp_first_resend);
}

// A SYN-ACK a second late is reported with its time: whether it may be the target's resend
// depends on the path's round trip, which the scan knows (scan_run::may_be_resent_syn_ack).
TEST_F(raw_syn_forgery, a_syn_ack_a_second_late_is_reported_with_its_time) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(tcp_first_resend + 20ms);
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 1, 0x12));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_TRUE(o.timed);
  EXPECT_GE(o.rtt, tcp_first_resend);
}

TEST_F(raw_syn_forgery, an_exact_icmp_quote_is_taken) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::icmp_unreachable);
}

}  // namespace
