// The raw SYN prober's answers that come late or answer another try (loopback, root or
// CAP_NET_RAW, else skipped): a lingering try hears its own answer after its timeout, and
// only its own; a waiting try takes an answer to its scan's earlier SYN of the port.
#include "raw_syn_test_bed.hpp"

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <thread>

namespace {

using namespace breakwater::probe;
using namespace breakwater::probe::raw_syn_test;

// --- Answers after the timeout. A try that lingers is reported silent at its timeout and
// still hears its own answer (an exact one only) until the linger ends.

struct raw_syn_linger : raw_syn {
  recording_sink sink{ctx.get_executor()};
  std::chrono::steady_clock::duration ran_for{};

  // One try of the silent port (timeout 150 ms, linger `linger`) while `answer` (in another
  // thread) sees its SYN and replies; `cancel_after`, if set, cancels the try then. Runs until
  // the io_context runs out of work.
  void run_try(duration linger,
               const std::function<void(forger&, std::uint16_t port, const sniffed_syn&)>& answer,
               std::optional<duration> cancel_after = std::nullopt) {
    silent_port silent(ctx);
    forger f;
    if (!f.ok()) GTEST_SKIP() << "no raw sockets to forge answers";
    std::thread t([&f, &silent, &answer] {
      if (auto syn = f.wait_for_syn(silent.port)) answer(f, silent.port, *syn);
    });
    auto lo = asio::ip::make_address("127.0.0.1");
    probe_try pt{lo, silent.port, 150ms, 1};
    pt.linger = linger;
    probe_handle h = prober->start(pt, sink);
    asio::steady_timer cancel(ctx);
    if (cancel_after) {
      cancel.expires_after(*cancel_after);
      cancel.async_wait([&](boost::system::error_code) { prober->cancel(h); });
    }
    auto start = std::chrono::steady_clock::now();
    ctx.run();
    ran_for = std::chrono::steady_clock::now() - start;
    ctx.restart();
    t.join();
  }
};

TEST_F(raw_syn_linger, an_error_after_the_timeout_is_heard_late_with_its_time) {
  run_try(2s, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(400ms);
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
  });
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
  EXPECT_TRUE(sink.got[0].second.still_heard);
  ASSERT_EQ(sink.late_got.size(), 1u);
  EXPECT_EQ(sink.late_got[0].first, 1u);
  const probe_outcome& o = sink.late_got[0].second;
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::icmp_unreachable);
  EXPECT_TRUE(o.timed);
  EXPECT_GE(o.rtt, 400ms);
  EXPECT_LT(ran_for, 1s) << "heard, the try holds no work";
}

TEST_F(raw_syn_linger, a_syn_ack_after_the_timeout_is_heard_late) {
  run_try(2s, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(400ms);
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 1, 0x12));
  });
  ASSERT_EQ(sink.late_got.size(), 1u);
  EXPECT_EQ(sink.late_got[0].second.why, reason::syn_ack);
}

TEST_F(raw_syn_linger, a_forged_late_answer_is_not_heard) {
  run_try(600ms, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(300ms);
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq + 1));
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 2, 0x12));
    f.send(f.icmp, unreachable(2, syn.source_port, port, syn.seq));
  });
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
  EXPECT_GE(ran_for, 700ms) << "the try lingered to its end";
  EXPECT_LT(ran_for, 2s);
}

TEST_F(raw_syn_linger, an_answer_after_the_linger_is_not_heard) {
  run_try(200ms, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(600ms);
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
  });
  EXPECT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
}

TEST_F(raw_syn_linger, a_cancelled_lingering_try_reports_nothing_more_and_holds_no_work) {
  run_try(
      10s,
      [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
        std::this_thread::sleep_for(500ms);
        f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
      },
      300ms);
  EXPECT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
  EXPECT_LT(ran_for, 2s);
}

// --- Answers to a port's earlier try. The target's first SYN-ACK is lost; it sends it again a
// second later, and Linux answers a new SYN on the same ports with a bare ACK of the old
// number. The try waiting then may take either, if the earlier try was its own scan's.

struct raw_syn_earlier : raw_syn {
  // A first try of the silent port (series 7, the port's first), left unanswered; then
  // a second of the same port (`series`, `earlier`), while `answer` (in another thread) sees its
  // SYN and replies, knowing both.
  probe_outcome second_try(
      std::uint64_t series, std::uint32_t earlier,
      const std::function<void(forger&, std::uint16_t port, const sniffed_syn& first,
                               const sniffed_syn& second)>& answer) {
    silent_port silent(ctx);
    forger f;
    if (!f.ok()) return {};
    recording_sink sink(ctx.get_executor());
    auto lo = asio::ip::make_address("127.0.0.1");
    std::optional<sniffed_syn> first;
    std::thread sniff_first([&] { first = f.wait_for_syn(silent.port); });
    prober->start({lo, silent.port, 200ms, 1, 7, 0}, sink);
    ctx.run();
    ctx.restart();
    sniff_first.join();
    EXPECT_TRUE(first);
    EXPECT_EQ(sink.got.at(0).second.what, probe_outcome::kind::silent);
    probe_try second{lo, silent.port, 1s, 2, series, earlier};
    std::thread reply([&] {
      auto syn = f.wait_for_syn(silent.port);
      if (syn && first) answer(f, silent.port, *first, *syn);
    });
    prober->start(second, sink);
    ctx.run();
    ctx.restart();
    reply.join();
    return sink.got.at(1).second;
  }
};

TEST_F(raw_syn_earlier, a_bare_ack_of_the_scans_first_syn_shows_the_port_open) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn& second) {
        EXPECT_NE(first.seq, second.seq);
        EXPECT_EQ(first.source_port, second.source_port);
        f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x10));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::ack);
  EXPECT_EQ(o.state(), port_state::open);
  EXPECT_FALSE(o.timed) << "the round trip is not this try's";
}

TEST_F(raw_syn_earlier, the_first_syn_ack_sent_again_shows_the_port_open) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn&) {
        f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x12));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_FALSE(o.timed);
}

// A bare ACK of this try's own number is its answer, but never timed: a later SYN drew it
// (with hedged tries, one still waits while the next goes).
TEST_F(raw_syn_earlier, a_bare_ack_of_the_try_itself_is_its_answer_untimed) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn&, const sniffed_syn& second) {
        f.send(f.tcp, segment(port, second.source_port, 9, second.seq + 1, 0x10));
      });
  EXPECT_EQ(o.why, reason::ack);
  EXPECT_FALSE(o.timed);
}

// Another scan's try, or the same scan's first try sent again (earlier = 0), knows no earlier
// SYN: an answer to the first try is noise to it.
TEST_F(raw_syn_earlier, another_scans_earlier_syn_changes_nothing) {
  struct second {
    std::uint64_t series;
    std::uint32_t earlier;
  };
  for (second t : {second{8, 1}, second{0, 1}, second{7, 0}}) {
    SCOPED_TRACE(t.series * 10 + t.earlier);
    const bool same_try = t.series == 7;
    auto o = second_try(t.series, t.earlier,
                        [same_try](forger& f, std::uint16_t port, const sniffed_syn& first,
                                   const sniffed_syn& again) {
                          if (same_try) {
                            EXPECT_EQ(first.seq, again.seq) << "the same SYN";
                          }
                          f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x10));
                        });
    if (same_try) {
      EXPECT_EQ(o.what, probe_outcome::kind::answered) << "the same SYN, answered";
    } else {
      EXPECT_EQ(o.what, probe_outcome::kind::silent);
    }
  }
}

TEST_F(raw_syn_earlier, a_forged_ack_near_the_first_number_changes_nothing) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn&) {
        for (std::uint32_t ack : {first.seq, first.seq + 2, 0u}) {
          f.send(f.tcp, segment(port, first.source_port, 9, ack, 0x10));
        }
        f.send(f.tcp, segment(static_cast<std::uint16_t>(port + 1), first.source_port, 9,
                              first.seq + 1, 0x10));
        f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x11));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

// An ICMP error counts for the try it quotes only: the scan books each error at the try that
// drew it (the target's ICMP limit), so a late one must not land on a later try.
TEST_F(raw_syn_earlier, an_icmp_error_quoting_the_first_syn_is_not_the_seconds) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn&) {
        f.send(f.icmp, unreachable(1, first.source_port, port, first.seq));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

}  // namespace
