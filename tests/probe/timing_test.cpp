// RFC 6298 timeouts, pacing and the model of the target's ICMP rate limit (pure logic).
#include "probe/detail/icmp_limit_model.hpp"
#include "probe/detail/icmp_recheck.hpp"
#include "probe/detail/pacer.hpp"
#include "probe/detail/rtt_estimator.hpp"
#include "probe/wire/icmp_history_text.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <set>

namespace {

using namespace breakwater::probe;
using namespace std::chrono_literals;

TEST(rtt_estimator, starts_conservative_then_follows_rfc6298) {
  rtt_estimator e;
  EXPECT_FALSE(e.measured());
  EXPECT_EQ(e.rto(), 1s);  // RFC 6298 2.1
  e.sample(100ms);         // 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
  EXPECT_EQ(*e.srtt(), 100ms);
  EXPECT_EQ(e.rttvar(), 50ms);
  EXPECT_EQ(e.rto(), 300ms);
  e.sample(60ms);  // 2.3: RTTVAR = 3/4*50 + 1/4*40 = 47.5; SRTT = 7/8*100 + 1/8*60 = 95
  EXPECT_EQ(e.rttvar(), 47500us);
  EXPECT_EQ(*e.srtt(), 95ms);
  EXPECT_EQ(e.rto(), 285ms);
}

TEST(rtt_estimator, floor_ceiling_and_backoff) {
  rtt_estimator e(rto_limits{1s, 100ms, 2s, 1ms});
  e.seed(1ms);
  EXPECT_EQ(e.rto(), 100ms);  // floor
  EXPECT_EQ(e.timeout_for_try(2), 200ms);
  EXPECT_EQ(e.timeout_for_try(3), 200ms);  // backs off once only (max_backoff = 2)
  rtt_estimator rfc(rto_limits{1s, 100ms, 2s, 1ms, 250ms, 64});
  rfc.seed(1ms);
  EXPECT_EQ(rfc.timeout_for_try(3), 400ms);  // RFC 6298's doubling when asked for
  rtt_estimator slow(rto_limits{1s, 100ms, 2s, 1ms});
  slow.seed(1500ms);
  EXPECT_EQ(slow.rto(), 2s);  // ceiling
  EXPECT_EQ(slow.timeout_for_try(4), 2s);
}

TEST(rtt_estimator, steady_samples_shrink_the_variance) {
  rtt_estimator e;
  for (int i = 0; i < 50; ++i) e.sample(50ms);
  EXPECT_LT(e.rto(), 101ms);  // 50 ms + a small variance, clamped to the 100 ms floor
  EXPECT_EQ(e.rto(), 100ms);
}

TEST(pacer, spaces_probes_after_a_burst) {
  pacer p(1000, 4);  // 1 ms apart, 4 may go at once
  time_point t0 = time_point(1h);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(p.earliest(t0), t0) << i;
    p.commit(t0);
  }
  EXPECT_EQ(p.earliest(t0), t0 + 1ms);
  p.commit(t0 + 1ms);
  EXPECT_EQ(p.earliest(t0 + 1ms), t0 + 2ms);
  // After a long idle time the burst is available again, not more.
  time_point later = t0 + 10s;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(p.earliest(later), later);
    p.commit(later);
  }
  EXPECT_GT(p.earliest(later), later);
}

// At 20,000 a second a burst of 8 is 0.35 ms: shorter than the millisecond tick sends wait
// for, and a scan that asked for 20,000 kept 7,800. The burst covers two ticks instead.
TEST(pacer, a_high_rate_bursts_over_two_ticks_and_keeps_its_average) {
  pacer p(20'000, 8);  // 50 us apart
  time_point t0 = time_point(1h);
  int at_once = 0;
  while (p.earliest(t0) == t0) {
    p.commit(t0);
    ++at_once;
  }
  EXPECT_EQ(at_once, 41);  // 2 ms of tolerance: 40 intervals ahead, and the one due now
  // Over a second, woken once a millisecond, it sends its rate and the one burst, no more.
  int sent = at_once;
  for (time_point now = t0; now < t0 + 1s; now += 1ms) {
    while (p.earliest(now) == now) {
      p.commit(now);
      ++sent;
    }
  }
  EXPECT_GE(sent, 20'000);
  EXPECT_LE(sent, 20'000 + at_once);
}

TEST(pacer, zero_rate_is_unlimited) {
  pacer p(0);
  time_point t0 = time_point(1h);
  for (int i = 0; i < 1000; ++i) p.commit(t0);
  EXPECT_EQ(p.earliest(t0), t0);
}

TEST(recent_count, counts_the_last_four_ticks_only) {
  recent_count c;
  time_point t0{std::chrono::seconds(10) + 100us};  // in the tick that ends at 10.001 s
  EXPECT_EQ(c.recent(t0), 0u);
  c.note(t0);
  c.note(t0 + 200us);  // the same tick
  c.note(t0 + 2ms);
  EXPECT_EQ(c.recent(t0 + 2ms), 3u);
  EXPECT_EQ(c.recent(t0 + 3ms), 3u);
  EXPECT_EQ(c.recent(t0 + 4ms), 1u);  // the first tick has left the window
  EXPECT_EQ(c.recent(t0 + 6ms), 0u);
  c.note(t0 + 8ms);  // reuses the first tick's place
  EXPECT_EQ(c.recent(t0 + 8ms), 1u);
}

TEST(icmp_limit_model, burst_then_one_per_second) {
  icmp_limit_model m;  // 6 tokens, one per second
  time_point t0 = time_point(1h);
  EXPECT_DOUBLE_EQ(m.tokens_before(t0), 6.0);
  for (int i = 0; i < 6; ++i) m.consume(t0 + std::chrono::milliseconds(i));
  EXPECT_NEAR(m.tokens_before(t0 + 6ms), 0.0, 0.01);
  EXPECT_NEAR(m.tokens_before(t0 + 1005ms), 1.0, 0.01);
  EXPECT_NEAR(m.tokens_before(t0 + 100s), 6.0, 1e-9);  // capped at the burst
  // Refilled to two tokens two seconds after the bucket ran dry.
  auto ready = m.refilled_to(2.0, t0 + 6ms);
  EXPECT_NEAR(std::chrono::duration<double>(ready - (t0 + 6ms)).count(), 2.0, 0.01);
}

TEST(icmp_limit_model, errors_beyond_the_model_do_not_go_negative) {
  icmp_limit_model m;
  time_point t0 = time_point(1h);
  for (int i = 0; i < 20; ++i) m.consume(t0);
  EXPECT_GE(m.tokens_before(t0 + 1ms), 0.0);
  EXPECT_EQ(m.errors_seen(), 20u);
}

TEST(icmp_limit_model, a_scan_starts_from_what_the_last_one_left) {
  icmp_limit_model m;
  time_point t0 = time_point(1h);
  EXPECT_TRUE(m.untouched());
  m.start_from({0.5, t0});
  EXPECT_FALSE(m.untouched());
  EXPECT_NEAR(m.tokens_before(t0 + 1500ms), 2.0, 0.01);  // not a full burst
  m.consume(t0 + 1500ms);
  EXPECT_NEAR(m.tokens_before(t0 + 1501ms), 1.0, 0.01);
  EXPECT_NEAR(m.tokens_before(t0 + 60s), 6.0, 1e-9);
}

// A try cancelled while out may have drawn an error no one will see: its token is spent, but it
// is no error seen, and shows nothing of the burst or the refill.
TEST(icmp_limit_model, a_cancelled_try_spends_a_token_and_shows_nothing) {
  icmp_limit_model m;
  time_point t0 = time_point(1h);
  for (int i = 0; i < 3; ++i) m.consume(t0 + std::chrono::milliseconds(i));
  m.consume_unseen(t0 + 3ms);
  EXPECT_NEAR(m.tokens_before(t0 + 4ms), 2.0, 0.01);
  EXPECT_EQ(m.errors_seen(), 3u);
  EXPECT_NEAR(m.burst_shown(), 3.0, 0.01);
  // Empty moments before errors a second apart show that refill, the unseen one aside.
  for (int i = 1; i <= 4; ++i) m.consume(t0 + 10s + i * 1s);
  m.consume_unseen(t0 + 10s + 4100ms);  // counted, it would show 1.11 a second
  std::vector<time_point> empty{t0 + 10s + 500ms, t0 + 10s + 1500ms};
  ASSERT_TRUE(m.refill_rate_shown(empty));
  EXPECT_LT(*m.refill_rate_shown(empty), 1.0);
}

// An audit's spare try, cancelled where the model held no token for it, sent at the same
// moment as the tries whose errors came back: those errors still show what they show. After a
// silence at `s` (three tokens) and another error, the audit's first error is drawn where the
// model held two, which shows that the target held a token at `s`; the unseen try beside it,
// where the model held none, is no sign of a looser limit.
TEST(icmp_limit_model, a_cancelled_spare_try_hides_nothing_the_errors_beside_it_show) {
  icmp_limit_model m;
  const time_point t0 = time_point(1h);
  for (int i = 0; i < 3; ++i) m.consume(t0 + std::chrono::milliseconds(i));
  const time_point s = t0 + 3ms;
  const double held = m.tokens_before(s);
  ASSERT_NEAR(held, 3.0, 0.01);
  m.consume(s + 500us);
  const time_point audit = s + 1ms;
  m.consume(audit);
  m.consume(audit);
  m.consume_unseen(audit);
  EXPECT_EQ(m.errors_seen(), 6u);
  EXPECT_EQ(m.errors_while_holding(1.0), 6u) << "the unseen one held none; it is not counted";
  EXPECT_TRUE(m.token_shown_at(s, held));
  EXPECT_NEAR(m.tokens_before(audit + 1ms), 0.0, 0.01);
}

// A silence the target showed was not clean (a closed port's try went unanswered while the
// model held tokens): the model is brought below the level there, by a smaller burst first
// (not below 2), then by errors it never saw; those do not count as errors seen.
TEST(icmp_limit_model, tightens_to_agree_with_a_silence_that_was_not_clean) {
  icmp_limit_model m;
  time_point t0 = time_point(1h);
  m.consume(t0);
  time_point silent = t0 + 500ms;  // the model held 5.5 there
  m.tighten_to(silent, 2.0);
  EXPECT_DOUBLE_EQ(m.limit().burst, 2.0);  // 6, 3, then 2: 1.5 at `silent`
  EXPECT_LT(m.tokens_before(silent), 2.0);
  EXPECT_EQ(m.errors_seen(), 1u);
  // At a burst of 2 a refill twice as slow is next; unseen errors make up the rest.
  m.tighten_to(silent, 1.0);
  EXPECT_EQ(m.limit().refill, 2s);
  EXPECT_LT(m.tokens_before(silent), 1.0);
  EXPECT_EQ(m.errors_seen(), 1u);
  EXPECT_LE(m.tokens_before(silent + 10s), 2.0);
}

// A closed port silent while the model held 2.5 tokens, then an error drawn where it held 2:
// the target held a token at the silence (the model can only have run further ahead of it
// since), so the silence lost its own probe or error. An error drawn where the model held
// more shows nothing, nor does one after the model was corrected, or full, in between, nor
// one from a target whose limit showed itself looser than modelled.
TEST(icmp_limit_model, a_later_error_shows_a_token_only_where_the_model_held_no_more) {
  time_point t0 = time_point(1h);
  auto drained = [&] {
    icmp_limit_model m;
    for (int i = 0; i < 6; ++i) m.consume(t0);
    return m;
  };
  const time_point silent = t0 + 2500ms;
  icmp_limit_model m = drained();
  EXPECT_NEAR(m.tokens_before(silent), 2.5, 1e-6);
  m.consume(t0 + 3000ms);  // the model held 3: too many
  EXPECT_FALSE(m.token_shown_at(silent, m.tokens_before(silent)));
  m.consume(t0 + 3500ms);  // 2.5 less the token just spent: 1.5
  EXPECT_TRUE(m.token_shown_at(silent, m.tokens_before(silent)));
  EXPECT_FALSE(m.token_shown_at(t0 + 3600ms, m.tokens_before(t0 + 3600ms)));  // none after

  icmp_limit_model unseen = drained();
  unseen.add_unseen(t0 + 3000ms, 2.0);
  unseen.consume(t0 + 3500ms);
  EXPECT_FALSE(unseen.token_shown_at(silent, unseen.tokens_before(silent)));

  icmp_limit_model tightened = drained();
  tightened.tighten();
  tightened.consume(t0 + 3500ms);
  EXPECT_FALSE(tightened.token_shown_at(silent, tightened.tokens_before(silent)));

  // Full in between: a target the model was over (two errors lost, say) may have caught up
  // with it there, so later errors, even where the model held little, show nothing.
  icmp_limit_model full = drained();
  for (int i = 0; i < 5; ++i) full.consume(t0 + 10s + std::chrono::milliseconds(i));
  EXPECT_FALSE(full.token_shown_at(silent, full.tokens_before(silent)));

  // An error the model held no token for: the limit is looser than modelled, and what the
  // model holds beyond the target may shrink with time.
  icmp_limit_model looser = drained();
  looser.consume(t0 + 100ms);  // the model held a tenth of a token
  looser.consume(t0 + 3000ms);
  looser.consume(t0 + 3001ms);  // the model held 1.9, less than at `silent`
  EXPECT_FALSE(looser.token_shown_at(silent, looser.tokens_before(silent)));
}

// A target refilling 4 a second (IPv6's limit on a /64 route), empty at 0.1 s and 0.35 s
// (its closed ports went unanswered then), then sending an error at every token: the rate the
// errors after those moments show is a lower bound of its refill, whatever its burst, and
// the model takes it. One moment that was not empty (the burst's errors follow it) does not
// raise it above the target's: the second highest moment's rate is taken. A tightening takes it
// back for good.
TEST(icmp_limit_model, learns_a_faster_refill_from_errors_after_empty_moments) {
  const time_point t0 = time_point(1h);
  icmp_limit_model m;
  for (int i = 0; i < 6; ++i) m.consume(t0 + std::chrono::milliseconds(i));
  for (int i = 1; i <= 12; ++i) m.consume(t0 + i * 250ms);
  EXPECT_FALSE(m.refill_rate_shown({}));
  std::vector<time_point> empty{t0 + 100ms, t0 + 350ms};
  std::optional<double> rate = m.refill_rate_shown(empty);
  ASSERT_TRUE(rate);
  EXPECT_GT(*rate, 3.5);
  EXPECT_LE(*rate, 4.0);
  // A "moment" at the start, before the burst's six errors: a lost probe, not an empty bucket.
  // It would show 5.7 a second; as one of three, a true moment's rate is taken still.
  std::vector<time_point> with_loss{t0 - 1ms, t0 + 100ms, t0 + 350ms};
  EXPECT_GT(*m.refill_rate_shown(with_loss), 3.5);
  EXPECT_LE(*m.refill_rate_shown(with_loss), 4.0);

  EXPECT_TRUE(m.loosen_to(*rate));
  EXPECT_TRUE(m.loosened());
  EXPECT_LT(m.limit().refill, 290ms);
  EXPECT_FALSE(m.loosen_to(*rate * 1.05));  // too little to be worth judging again
  // A slower refill is no loosening. A tightening halves the learned one, and none is learned
  // after; the next ones go down to the one assumed, before the burst.
  EXPECT_FALSE(m.loosen_to(0.5));
  const duration learned = m.limit().refill;
  m.tighten();
  EXPECT_EQ(m.limit().refill, 2 * learned);
  EXPECT_FALSE(m.loosen_to(*rate));
  m.tighten();  // 4 x 266 ms is more than the second assumed
  EXPECT_EQ(m.limit().refill, 1s);
  EXPECT_FALSE(m.loosened());
  EXPECT_DOUBLE_EQ(m.limit().burst, 6.0);
  // The target sent six errors at once: its burst is no smaller, its refill is slower.
  EXPECT_NEAR(m.burst_shown(), 6.0, 0.01);
  m.tighten();
  EXPECT_DOUBLE_EQ(m.limit().burst, 6.0);
  EXPECT_EQ(m.limit().refill, 2s);
}

// Tries sent a fraction of a millisecond apart reach the target in any order (the path's
// delay varies by a little): two closed ports' tries sent first went unanswered because the six
// sent just after them overtook them and spent the burst. Counting those six as spent before
// them (as a clean silence must) makes them look like moments of an empty limit; they are
// none, and the burst's errors just after them are no refill. Taken for such moments, they
// showed a refill of over a thousand a second, and the model loosened to the second highest
// moment's rate (as seen on a jittery link: three closed UDP ports called stealth).
TEST(icmp_limit_model, tries_overtaken_by_the_burst_show_no_empty_limit_and_no_refill) {
  const time_point t0 = time_point(1h);
  icmp_limit_model m;
  const time_point a = t0;
  const time_point b = t0 + 100us;
  for (int i = 0; i < 6; ++i) m.consume(t0 + 200us + i * 100us);
  m.consume(t0 + 2s);
  m.consume(t0 + 3s);
  EXPECT_LT(m.tokens_before(a, icmp_reorder_slack), 1.0);  // not clean, rightly
  EXPECT_NEAR(m.tokens_if_ahead(a, icmp_reorder_slack), 6.0, 0.01);
  EXPECT_FALSE(found_limit_empty(m, a));
  EXPECT_FALSE(found_limit_empty(m, b));
  // Moments the limit was empty: 5 ms after the burst, and 0.9 s in.
  EXPECT_TRUE(found_limit_empty(m, t0 + 5ms));
  EXPECT_TRUE(found_limit_empty(m, t0 + 900ms));
  EXPECT_FALSE(found_limit_empty(m, t0 + 1100ms));
  // Even were they taken for such moments, the burst's errors show no refill.
  std::vector<time_point> reordered{a, b};
  std::optional<double> rate = m.refill_rate_shown(reordered);
  ASSERT_TRUE(rate);
  EXPECT_LE(*rate, 1.0);
  EXPECT_FALSE(m.loosen_to(*rate));
}

// A tightening halves the burst down to what the target has shown at once (two errors here),
// and never below 2; then it doubles the refill time.
TEST(icmp_limit_model, a_tightening_keeps_the_burst_the_target_showed) {
  const time_point t0 = clock::now();
  icmp_limit_model m;
  m.consume(t0);
  m.consume(t0 + 1ms);
  m.consume(t0 + 5s);  // alone: a second's refill after the others
  EXPECT_NEAR(m.burst_shown(), 2.0, 0.01);
  m.tighten();
  EXPECT_DOUBLE_EQ(m.limit().burst, 3.0);
  m.tighten();
  EXPECT_DOUBLE_EQ(m.limit().burst, 2.0);
  m.tighten();
  EXPECT_DOUBLE_EQ(m.limit().burst, 2.0);
  EXPECT_EQ(m.limit().refill, 2s);
  icmp_limit_model five;
  for (int i = 0; i < 5; ++i) five.consume(t0 + std::chrono::milliseconds(10 * i));
  five.tighten();
  EXPECT_DOUBLE_EQ(five.limit().burst, 5.0);  // not 3: five came within 40 ms
  five.tighten();
  EXPECT_EQ(five.limit().refill, 2s);
}

// tokens_before answers from the kept state after each error; it must agree with a plain walk
// over every error (tokens_expected with nothing pending), less the errors its reorder slack
// counts early, whatever the order of the errors and questions, across starts from an earlier
// scan and changes of the limit made on the way. (tighten_to's unseen errors are consumed
// like any other.)
TEST(icmp_limit_model, kept_states_agree_with_a_plain_walk) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> ms(0, 20000);
  const time_point t0 = time_point(1h);
  for (int round = 0; round < 20; ++round) {
    icmp_limit_model m;
    std::multiset<time_point> errors;
    for (int step = 0; step < 400; ++step) {
      time_point t = t0 + std::chrono::milliseconds(ms(rng));
      switch (rng() % 12) {
        case 0:
        case 1:
        case 2:
          m.consume(t);
          errors.insert(t);
          break;
        case 3:
          if (rng() % 20 == 0) m.start_from({1.5, t0 - 300ms});
          if (rng() % 20 == 1) m.tighten();
          break;
        default: {
          duration slack = rng() % 2 ? 2ms : duration::zero();
          auto early = std::distance(errors.lower_bound(t), errors.lower_bound(t + slack));
          double plain = std::max(0.0, m.tokens_expected(t, {}) - static_cast<double>(early));
          ASSERT_NEAR(m.tokens_before(t, slack), plain, 1e-9) << round << " " << step;
          break;
        }
      }
    }
  }
}

TEST(icmp_history_text, round_trips_and_skips_what_it_cannot_read) {
  auto a = boost::asio::ip::make_address("198.18.0.2");
  auto b = boost::asio::ip::make_address("2001:2::2");
  time_point t0 = time_point(1h);
  std::string text = update_icmp_history("", a, icmp_bucket{1.25, t0}, t0 - 10s);
  text = update_icmp_history(text, b, icmp_bucket{0, t0 + 1s}, t0 - 10s);
  auto got = parse_icmp_history(text, a);
  ASSERT_TRUE(got);
  EXPECT_NEAR(got->tokens, 1.25, 1e-9);
  EXPECT_EQ(got->at, t0);
  ASSERT_TRUE(parse_icmp_history(text, b));
  // Replaced, not appended; old lines go.
  text = update_icmp_history(text, a, icmp_bucket{3, t0 + 20s}, t0 + 5s);
  EXPECT_EQ(parse_icmp_history(text, a)->at, t0 + 20s);
  EXPECT_FALSE(parse_icmp_history(text, b));
  // Damaged lines are skipped, not trusted.
  std::string bad = "198.18.0.2 x 5\n198.18.0.2 -1 5\nnot-an-address 1 5\n198.18.0.2 1\n";
  EXPECT_FALSE(parse_icmp_history(bad, a));
  EXPECT_FALSE(parse_icmp_history(bad + "198.18.0.2 nan 7\n", a));
}

}  // namespace
