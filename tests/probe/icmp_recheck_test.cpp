// The ICMP re-check alone, in virtual time, against fake targets whose ICMP error limiter has
// different shapes: every verdict right, and the probes it sends within the bounds it keeps.
#include "probe/detail/icmp_recheck.hpp"
#include "probe/detail/pacer.hpp"
#include "probe/detail/timer.hpp"
#include "support/fake_target.hpp"
#include "support/virtual_time.hpp"

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace std::chrono_literals;
using asio::awaitable;
using breakwater::probe::testing::run_virtual;

constexpr duration try_timeout = 300ms;  // a retry's timeout at the fake's 50 ms round trip
constexpr double clean_tokens = 1.0 + icmp_token_margin;

struct verdict {
  port_state state = port_state::stealth;
  recheck how = recheck::none;
};

// A scan cut down to what the re-check needs. Ids are port numbers. Tries go straight to the
// fake target, paced at a scan's default rate, and every ICMP error seen spends the model's
// tokens, as a scan's do. While the re-check runs it notes any break of the bounds it keeps.
class mini_scan final : public recheck_host {
 public:
  // `model` is the scan's estimate of the target's limit.
  mini_scan(asio::io_context& ctx, fake_target& target, icmp_limit model = {})
      : icmp(model), ctx_(ctx), target_(target), wake_(ctx) {}

  // The main pass in miniature: `tries` rounds over the ports not yet answered.
  awaitable<std::vector<undecided_port>> main_pass(std::vector<std::uint16_t> ports,
                                                   unsigned tries) {
    for (unsigned t = 0; t < tries; ++t) {
      for (std::uint16_t p : ports) {
        if (verdicts.contains(p)) continue;
        co_await wait_send_slots(1);
        launch(p);
      }
      co_await wait_all_back();
    }
    std::vector<undecided_port> out;
    for (std::uint16_t p : ports) {
      if (!verdicts.contains(p)) out.push_back({p, silent_at_[p]});
    }
    co_return out;
  }

  // While attached, tries are the re-check's.
  void attach(icmp_recheck* r) {
    recheck_ = r;
    looser_at_start = icmp.errors_seen() > icmp.errors_while_holding(1.0) + 1;
  }

  // One slot a call, each at its pace.
  awaitable<std::size_t> wait_send_slots(std::size_t) override {
    for (;;) {
      time_point now = clock::now();
      time_point at = pace_.earliest(now);
      if (at <= now) break;
      co_await sleep_until(at);
    }
    pace_.commit(clock::now());
    co_return running ? 1 : 0;
  }

  void send(std::size_t id) override {
    auto port = static_cast<std::uint16_t>(id);
    // The witness is decided already, and tried outside the batches' bounds.
    if (witness == port) {
      ++witness_probes;
      launch(port);
      return;
    }
    time_point now = clock::now();
    // The first batch after a main pass that showed a looser limit than modelled goes at once
    // (icmp_recheck::run).
    bool at_once = looser_at_start && batches == 0;
    if (batch_.empty() && !at_once && icmp.refilled_to(clean_tokens, now) > now) {
      broken.push_back("a batch began before the model had refilled");
    }
    if (verdicts.contains(port)) broken.push_back("probed after its verdict: " + port_name(id));
    if (++batch_[port] > needed) broken.push_back("too many tries in a batch: " + port_name(id));
    if (batch_.size() > 8192) broken.push_back("a batch of more than 8192 ports");
    ++recheck_probes;
    launch(port);
  }

  awaitable<void> wait_all_back() override {
    while (in_flight_ > 0) {
      wake_.expires_after(std::chrono::hours(24));
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (recheck_ && !batch_.empty()) ++batches;
    batch_.clear();
  }

  awaitable<void> sleep_until(time_point t) override {
    timer sleep(ctx_);
    sleep.expires_at(t);
    co_await sleep.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  awaitable<void> wait_back_or(time_point t) override {
    if (in_flight_ == 0) co_return co_await sleep_until(t);
    wake_.expires_at(t);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  duration answer_due() const override { return try_timeout / 2; }

  // As a scan does: the port's tries still out are dropped when they come back, and an error
  // each may draw counts as spent, unseen, at once (the witness is the one port cancelled, and
  // it refused).
  void cancel_tries_of(std::size_t id) override {
    for (auto& [n, t] : out_) {
      if (t.port != id || t.cancelled) continue;
      t.cancelled = true;
      --in_flight_;
      ++cancelled;
      icmp.consume_unseen(t.sent);
    }
  }

  bool live() const override { return running; }

  void stealth(std::size_t id, recheck how) override {
    auto port = static_cast<std::uint16_t>(id);
    if (!verdicts.emplace(port, verdict{port_state::stealth, how}).second) {
      broken.push_back("decided twice: " + port_name(id));
    }
  }

  icmp_limit_model icmp;
  std::optional<std::uint16_t> witness;
  std::size_t witness_probes = 0;
  unsigned needed = 2;
  bool running = true;
  std::map<std::uint16_t, verdict> verdicts;
  std::size_t recheck_probes = 0;
  std::size_t batches = 0;       // re-check batches that sent at least one try
  std::size_t cancelled = 0;     // tries cancelled while out
  bool looser_at_start = false;  // the main pass drew more errors than the model allows
  std::vector<std::string> broken;

 private:
  static std::string port_name(std::size_t id) { return std::to_string(id); }

  struct try_out {
    std::uint16_t port = 0;
    time_point sent{};
    bool cancelled = false;
  };

  void launch(std::uint16_t port) {
    ++in_flight_;
    const std::uint64_t n = next_try_++;
    out_[n] = {port, clock::now()};
    asio::co_spawn(
        ctx_,
        [this, port, n]() -> awaitable<void> {
          probe_outcome o =
              co_await target_.probe(asio::ip::make_address("198.18.0.2"), port, try_timeout);
          on_outcome(n, o);
        },
        asio::detached);
  }

  void on_outcome(std::uint64_t n, const probe_outcome& o) {
    auto it = out_.find(n);
    const try_out t = it->second;
    out_.erase(it);
    if (t.cancelled) return;
    const std::uint16_t port = t.port;
    const time_point sent = t.sent;
    --in_flight_;
    wake_.cancel();
    if (o.what == probe_outcome::kind::answered) {
      bool icmp_error = o.why == reason::icmp_unreachable;
      if (icmp_error) icmp.consume(sent);
      if (recheck_) recheck_->on_answer(port, icmp_error, sent);
      verdicts.emplace(port, verdict{o.state(), recheck_ ? recheck::rechecked : recheck::none});
      return;
    }
    silent_at_[port].push_back(sent);
    if (recheck_) recheck_->on_silence(port, sent);
  }

  asio::io_context& ctx_;
  fake_target& target_;
  timer wake_;
  pacer pace_{6000};
  icmp_recheck* recheck_ = nullptr;
  std::size_t in_flight_ = 0;
  std::map<std::uint64_t, try_out> out_;  // every try launched and not back, by number
  std::uint64_t next_try_ = 0;
  std::map<std::uint16_t, std::vector<time_point>> silent_at_;
  std::map<std::uint16_t, unsigned> batch_;  // tries per port in the current batch
};

std::vector<std::uint16_t> port_range(std::uint16_t first, std::uint16_t last) {
  std::vector<std::uint16_t> out;
  for (unsigned p = first; p <= last; ++p) out.push_back(static_cast<std::uint16_t>(p));
  return out;
}

struct recheck_alone : ::testing::Test {
  breakwater::probe::testing::virtual_time vt;
  asio::io_context ctx;

  struct outcome {
    std::unique_ptr<mini_scan> scan;
    std::size_t undecided = 0;  // ports the main pass left undecided
    duration elapsed{};         // of the re-check alone
  };

  // Two tries of every port, then the re-check of what is left, with `model` as the scan's
  // estimate of the target's limit.
  // With `with_witness`, the first port the main pass found refusing is the witness.
  outcome scan_then_recheck(fake_target& target, const std::vector<std::uint16_t>& ports,
                            icmp_limit model = {}, duration budget = 60s,
                            bool with_witness = false) {
    outcome out;
    out.scan = std::make_unique<mini_scan>(ctx, target, model);
    mini_scan& scan = *out.scan;
    std::vector<undecided_port> undecided = run_virtual(ctx, scan.main_pass(ports, scan.needed));
    out.undecided = undecided.size();
    icmp_recheck recheck(scan, scan.icmp);
    scan.attach(&recheck);
    recheck_options o{.needed = scan.needed, .budget = budget};
    for (const auto& [port, v] : scan.verdicts) {
      if (with_witness && !o.witness && v.state == port_state::closed) o.witness = port;
    }
    if (o.witness) scan.witness = static_cast<std::uint16_t>(*o.witness);
    auto run = [&]() -> awaitable<duration> {
      time_point start = clock::now();
      co_await recheck.run(std::move(undecided), o);
      co_return clock::now() - start;
    };
    out.elapsed = run_virtual(ctx, run());
    scan.attach(nullptr);
    return out;
  }

  // Every port has the verdict its behaviour calls for, none is left unresolved, and the
  // re-check kept its bounds.
  static void expect_right(const fake_target& target, const std::vector<std::uint16_t>& ports,
                           const mini_scan& scan) {
    EXPECT_EQ(scan.broken, std::vector<std::string>{});
    ASSERT_EQ(scan.verdicts.size(), ports.size());
    for (std::uint16_t p : ports) {
      port_state want = port_state::closed;
      if (target.behaviour(p) == fake_port::open) want = port_state::open;
      if (target.behaviour(p) == fake_port::drop) want = port_state::stealth;
      EXPECT_EQ(scan.verdicts.at(p).state, want) << p;
      EXPECT_NE(scan.verdicts.at(p).how, recheck::unresolved) << p;
    }
  }

  // Every verdict is the one the port's behaviour calls for, or unresolved and stealth: what
  // a re-check cut short may say, never closed without an answer nor stealth for sure.
  static void expect_right_or_unresolved(const fake_target& target, const mini_scan& scan,
                                         int budget_ms) {
    EXPECT_EQ(scan.broken, std::vector<std::string>{}) << budget_ms;
    for (const auto& [port, v] : scan.verdicts) {
      port_state want =
          target.behaviour(port) == fake_port::drop ? port_state::stealth : port_state::closed;
      EXPECT_EQ(v.state, v.how == recheck::unresolved ? port_state::stealth : want)
          << budget_ms << " " << port;
    }
  }
};

std::size_t count_how(const mini_scan& scan, recheck how) {
  std::size_t n = 0;
  for (const auto& [port, v] : scan.verdicts) n += v.how == how ? 1 : 0;
  return n;
}

// Linux: a burst of 6, then one error per second per peer. 21 closed ports among 1056 hide
// most of their errors in the main pass.
TEST_F(recheck_alone, linux_like_limit_every_hidden_error_is_found) {
  fake_target_options fo;
  fo.seed = 7;
  fake_target target(fo);
  for (std::uint16_t p = 10; p < 1056; p += 50) target.set(p, fake_port::icmp_port_unreachable);
  target.set(22, fake_port::open);
  auto ports = port_range(0, 1055);
  outcome o = scan_then_recheck(target, ports);
  EXPECT_GT(target.icmp_suppressed(), 0u);
  expect_right(target, ports, *o.scan);
  EXPECT_GT(count_how(*o.scan, recheck::rechecked), 0u);
  // Every hidden error costs a token the model waits for (a second), and a batch ends when the
  // bucket is down to its margin. Today: 16 batches, 2185 tries for 1049 suspects, 16.6 s.
  EXPECT_GE(o.scan->batches, 2u);
  EXPECT_LT(o.scan->recheck_probes, 6 * o.undecided);
  EXPECT_LT(to_ms(o.elapsed), 40000.0);
}

// A target that sends one error and then one a second: the model, told so, never holds the
// two tokens a clean batch needs, so the re-check sends nothing and owns up at its budget.
TEST_F(recheck_alone, a_burst_of_one_leaves_suspects_unresolved_and_never_wrong) {
  fake_target_options fo;
  fo.icmp_burst = 1;
  fake_target target(fo);
  for (std::uint16_t p = 100; p < 110; ++p) target.set(p, fake_port::icmp_port_unreachable);
  auto ports = port_range(90, 129);
  outcome o = scan_then_recheck(target, ports, {.burst = 1, .refill = 1s}, 5s);
  EXPECT_EQ(o.scan->broken, std::vector<std::string>{});
  EXPECT_GT(o.undecided, 0u);
  EXPECT_EQ(o.scan->recheck_probes, 0u);
  EXPECT_EQ(count_how(*o.scan, recheck::unresolved), o.undecided);
  for (const auto& [port, v] : o.scan->verdicts) {
    if (v.how == recheck::unresolved) {
      EXPECT_EQ(v.state, port_state::stealth) << port;
    }
    if (v.state == port_state::closed) {
      EXPECT_EQ(target.behaviour(port), fake_port::icmp_port_unreachable) << port;
    }
  }
  EXPECT_LE(to_ms(o.elapsed), 5000.0);
}

// A limiter looser than the model assumes (a burst of 20 against the modelled 6): the model
// stays a lower bound, so the re-check may probe more than it needed to, never decides wrong.
TEST_F(recheck_alone, a_larger_burst_than_modelled_is_never_wrong) {
  fake_target_options fo;
  fo.icmp_burst = 20;
  fo.seed = 3;
  fake_target target(fo);
  for (std::uint16_t p = 0; p < 400; p += 10) target.set(p, fake_port::icmp_admin_prohibited);
  target.set(443, fake_port::open);
  auto ports = port_range(0, 499);
  outcome o = scan_then_recheck(target, ports);
  EXPECT_GT(target.icmp_suppressed(), 0u);
  expect_right(target, ports, *o.scan);
  // Today: 13 batches, 1729 tries for 479 undecided ports, 22.5 s.
  EXPECT_LT(o.scan->recheck_probes, 10 * o.undecided);
  EXPECT_LT(to_ms(o.elapsed), 60000.0);
}

// More closed ports than the budget has seconds for: the re-check stops starting batches at
// its budget and calls what is left unresolved, stealth, never closed without an answer.
TEST_F(recheck_alone, out_of_budget_the_rest_is_unresolved_not_wrong) {
  fake_target target;
  for (std::uint16_t p = 0; p < 40; ++p) target.set(p, fake_port::icmp_port_unreachable);
  auto ports = port_range(0, 199);
  outcome o = scan_then_recheck(target, ports, {}, 3s);
  EXPECT_EQ(o.scan->broken, std::vector<std::string>{});
  EXPECT_GT(count_how(*o.scan, recheck::unresolved), 0u);
  for (const auto& [port, v] : o.scan->verdicts) {
    if (v.how == recheck::unresolved) {
      EXPECT_EQ(v.state, port_state::stealth) << port;
    }
    if (v.state == port_state::closed) {
      EXPECT_LT(port, 40) << port;
    }
  }
  // The budget bounds when the last batch may begin; that batch still runs its course.
  EXPECT_LT(to_ms(o.elapsed), 3000.0 + to_ms(try_timeout) + 200.0);
}

// With a witness, a target refilling slower than modelled (its audits can fail) and 2% loss,
// budgets ending every 100 ms from 1 to 7 s: the re-check ends at each, and every verdict is
// right or unresolved. (None of these budgets reaches an audit due that cannot be made before
// the budget ends: an_audit_past_the_budget_ends_the_recheck_and_leaves_suspects_unresolved.)
TEST_F(recheck_alone, a_budget_ending_anywhere_ends_the_recheck_and_never_wrong) {
  for (int ms = 1000; ms <= 7000; ms += 100) {
    fake_target_options fo;
    fo.seed = 5;
    fo.icmp_refill = 1200ms;  // slower than the model's second: its audits can fail
    fo.loss = 0.02;
    fake_target target(fo);
    for (std::uint16_t p = 10; p < 300; p += 25) target.set(p, fake_port::icmp_port_unreachable);
    auto ports = port_range(0, 299);
    outcome o = scan_then_recheck(target, ports, {}, std::chrono::milliseconds(ms), true);
    ASSERT_EQ(o.scan->verdicts.size(), ports.size()) << ms;
    expect_right_or_unresolved(target, *o.scan, ms);
  }
}

// No ICMP errors at all (a firewall that drops): nothing can have been hidden, so every
// silent port is stealth at once, without a probe.
TEST_F(recheck_alone, a_target_that_sends_no_icmp_costs_no_probe) {
  fake_target target;
  target.set(22, fake_port::open);
  auto ports = port_range(0, 299);
  outcome o = scan_then_recheck(target, ports);
  expect_right(target, ports, *o.scan);
  EXPECT_EQ(o.undecided, 299u);
  EXPECT_EQ(o.scan->recheck_probes, 0u);
  EXPECT_EQ(count_how(*o.scan, recheck::none), 300u);
  EXPECT_EQ(o.elapsed, duration::zero());
}

// A few errors, well inside the burst: every silence was clean, so none is a suspect.
TEST_F(recheck_alone, silences_the_limit_cannot_explain_need_no_reprobe) {
  fake_target target;
  target.set(135, fake_port::icmp_port_unreachable);
  target.set(139, fake_port::icmp_port_unreachable);
  auto ports = port_range(100, 199);
  outcome o = scan_then_recheck(target, ports);
  expect_right(target, ports, *o.scan);
  EXPECT_EQ(target.icmp_suppressed(), 0u);
  EXPECT_EQ(o.scan->recheck_probes, 0u);
  EXPECT_EQ(count_how(*o.scan, recheck::none), 100u);
}

// No limit on the target at all (the model still assumes Linux's): the re-probe it did not
// need costs time, never a wrong verdict.
TEST_F(recheck_alone, a_target_without_a_limit_is_reprobed_and_never_wrong) {
  fake_target_options fo;
  fo.icmp_rate_limit = false;
  fake_target target(fo);
  for (std::uint16_t p = 0; p < 300; p += 10) target.set(p, fake_port::icmp_admin_prohibited);
  auto ports = port_range(0, 299);
  outcome o = scan_then_recheck(target, ports);
  EXPECT_EQ(target.icmp_suppressed(), 0u);
  expect_right(target, ports, *o.scan);
  // Every error came through in the main pass, so the suspects are all silent ports. More
  // errors than the model allows send the first 64 tries at once, to show a faster refill;
  // they show none, and their silences are not clean. Then one batch draws no error, is clean
  // and settles them all with the tries each still lacked.
  EXPECT_EQ(o.scan->batches, 2u);
  EXPECT_GT(o.scan->recheck_probes, 0u);
  EXPECT_LE(o.scan->recheck_probes, o.scan->needed * o.undecided + 64);
}

// An open port whose first tries were lost answers only to the re-check: it keeps that
// answer and is probed no further; so does a closed port whose first error was hidden.
TEST_F(recheck_alone, a_port_that_answers_late_keeps_its_answer) {
  fake_target target;
  for (std::uint16_t p = 100; p < 120; ++p) target.set(p, fake_port::icmp_port_unreachable);
  target.set(443, fake_port::open);
  target.lose_first(443, 2);
  auto ports = port_range(100, 499);
  outcome o = scan_then_recheck(target, ports);
  expect_right(target, ports, *o.scan);
  EXPECT_EQ(o.scan->verdicts.at(443).how, recheck::rechecked);
  // Its re-check tries all left in the first batch, before the answer came back.
  EXPECT_LE(target.probes_of(443), 2u + o.scan->needed);
}

// Without a budget the re-check sends nothing: every undecided port is stealth at once.
TEST_F(recheck_alone, no_budget_no_reprobe) {
  fake_target target;
  for (std::uint16_t p = 100; p < 120; ++p) target.set(p, fake_port::icmp_port_unreachable);
  auto ports = port_range(100, 199);
  outcome o = scan_then_recheck(target, ports, {}, duration::zero());
  EXPECT_EQ(o.scan->recheck_probes, 0u);
  EXPECT_EQ(count_how(*o.scan, recheck::none), 100u);
  EXPECT_EQ(o.elapsed, duration::zero());
}

// Stopped part way (the host no longer live): it returns without deciding the rest.
TEST_F(recheck_alone, a_stopped_scan_leaves_the_rest_undecided) {
  fake_target target;
  for (std::uint16_t p = 0; p < 50; ++p) target.set(p, fake_port::icmp_port_unreachable);
  auto ports = port_range(0, 199);
  mini_scan scan(ctx, target);
  std::vector<undecided_port> undecided = run_virtual(ctx, scan.main_pass(ports, scan.needed));
  icmp_recheck recheck(scan, scan.icmp);
  scan.attach(&recheck);
  bool done = false;
  asio::co_spawn(ctx, recheck.run(std::move(undecided), {.needed = scan.needed, .budget = 60s}),
                 [&](std::exception_ptr) { done = true; });
  breakwater::probe::testing::run_for(ctx, 3s);
  scan.running = false;
  breakwater::probe::testing::run_until(ctx, [&] { return done; });
  EXPECT_LT(scan.verdicts.size(), ports.size());
  EXPECT_EQ(count_how(scan, recheck::unresolved), 0u);
}

}  // namespace

// The clean silences a suspect needs: as few as keep the expected closed ports called stealth
// under the bound, at least one, never more than the scan's tries.
TEST(needed_clean_for, weighs_the_hidden_errors_by_the_loss) {
  using breakwater::probe::needed_clean_for;
  EXPECT_EQ(needed_clean_for(11, 0.024, 3), 2u);  // 0.26 with one, 0.006 with two
  EXPECT_EQ(needed_clean_for(0.5, 0.01, 3), 1u);  // 0.005 with one
  EXPECT_EQ(needed_clean_for(100, 0.1, 3), 3u);   // capped at the tries
  EXPECT_EQ(needed_clean_for(11, 1.0, 2), 2u);    // loss unknown: every silence clean
}

// The audit that vouches for the last clean silences is due once the queue is empty, as soon
// as the model holds a clean silence's tokens. Here (a target refilling 5% slower than
// modelled, 2% loss) the first audit comes out one error short and the next can be made only
// at 10.6 s: with a budget of 10 s it cannot be made. The re-check then ends at once (it once
// asked for that audit again and again, in a loop that never let a virtual clock move on),
// and the suspects whose clean silences no audit vouched for are unresolved, not rechecked
// (icmp_recheck::proven). Given 11 s, the same scan makes the audit and every verdict stands.
TEST_F(recheck_alone, an_audit_past_the_budget_ends_the_recheck_and_leaves_suspects_unresolved) {
  const auto ports = port_range(0, 299);
  auto recheck_within = [this, &ports](duration budget) {
    fake_target_options fo;
    fo.seed = 10;
    fo.icmp_refill = 1050ms;
    fo.loss = 0.02;
    auto target = std::make_unique<fake_target>(fo);
    for (std::uint16_t p = 10; p < 300; p += 25) target->set(p, fake_port::icmp_port_unreachable);
    outcome o = scan_then_recheck(*target, ports, {}, budget, true);
    return std::pair{std::move(target), std::move(o)};
  };
  auto [target, short_one] = recheck_within(10s);
  auto [same_target, long_one] = recheck_within(11s);
  // The case is reached: the audit that passed came after the short budget's end.
  expect_right(*same_target, ports, *long_one.scan);
  EXPECT_GT(to_ms(long_one.elapsed), 10000.0);
  // Short of it, the re-check ended within its budget and owned up.
  EXPECT_LT(to_ms(short_one.elapsed), 10000.0);
  EXPECT_GT(count_how(*short_one.scan, recheck::unresolved), 0u);
  ASSERT_EQ(short_one.scan->verdicts.size(), ports.size());
  expect_right_or_unresolved(*target, *short_one.scan, 10000);
}
