// The engine against targets that rate-limit their ICMP errors, in virtual time: the re-check
// finds every closed port the limit hid, over TCP and UDP, after an earlier scan, within its
// budget, and against a target with no limit at all.
#include "engine_fixture.hpp"
#include "support/icmp_bed.hpp"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <set>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace std::chrono_literals;
using breakwater::probe::testing::mixed_target;
using breakwater::probe::testing::run_for;

struct engine_icmp : breakwater::probe::testing::engine_fixture {};
using breakwater::probe::testing::fails_nth_send;

// The visitor of the e2e tests (tests/e2e/run_e2e.sh): four open ports, 39 resets, six ports
// refused with an ICMP error, everything else dropped.
std::shared_ptr<fake_target> e2e_bed_target() {
  auto t = std::make_shared<fake_target>();
  auto set = [&](std::initializer_list<std::uint16_t> ports, fake_port how) {
    for (std::uint16_t p : ports) t->set(p, how);
  };
  set({22, 80, 443, 1055}, fake_port::open);
  set({3, 4, 20, 21, 23, 25, 110}, fake_port::reset);
  for (std::uint16_t p = 140; p < 170; ++p) t->set(p, fake_port::reset);
  set({111, 113, 119}, fake_port::icmp_port_unreachable);
  set({135, 445, 1000}, fake_port::icmp_admin_prohibited);
  return t;
}

TEST_F(engine_icmp, an_icmp_error_on_a_retry_is_the_rate_limit_not_loss) {
  auto target = std::make_shared<fake_target>();
  // More ICMP-rejected ports than the target's burst: some errors come only on a retry.
  for (std::uint16_t p = 100; p < 130; ++p) target->set(p, fake_port::icmp_admin_prohibited);
  engine e(ctx.get_executor(), {.backend = target});
  scan_options o;
  o.rtt_seed = 50ms;
  o.recheck_budget = duration::zero();  // no re-probe pass: count the main pass's tries only
  scan_result r = scan(e, request("100-129,2000", o));
  EXPECT_EQ(target->probes_of(2000), 2u);  // no third try: nothing was lost
}

TEST_F(engine_icmp, icmp_rate_limited_target_is_reprobed_until_every_closed_port_is_found) {
  fake_target_options fo;
  fo.seed = 7;
  auto target = std::make_shared<fake_target>(fo);
  std::vector<std::uint16_t> icmp_ports;
  for (std::uint16_t p = 10; p < 1056; p += 50) icmp_ports.push_back(p);  // 21 ports
  for (std::uint16_t p : icmp_ports) {
    target->set(
        p, p % 100 == 10 ? fake_port::icmp_admin_prohibited : fake_port::icmp_port_unreachable);
  }
  target->set(22, fake_port::open);
  target->set(23, fake_port::reset);
  engine e(ctx.get_executor(), {.backend = target});
  scan_options o;
  o.rtt_seed = 50ms;
  o.recheck_budget = 60s;
  scan_result r = scan(e, request("0-1055", o));
  EXPECT_GT(target->icmp_suppressed(), 0u);  // the limiter did hide errors
  auto m = by_port(r);
  ASSERT_EQ(m.size(), 1056u);
  for (std::uint16_t p : icmp_ports) {
    EXPECT_EQ(m[p].state, port_state::closed) << p;
    EXPECT_EQ(m[p].why, reason::icmp_unreachable) << p;
  }
  EXPECT_EQ(m[22].state, port_state::open);
  EXPECT_EQ(r.summary().closed, icmp_ports.size() + 1);
  EXPECT_EQ(r.summary().stealth, 1056u - icmp_ports.size() - 2);
  EXPECT_TRUE(r.icmp_rate_limited);
  std::size_t rechecked = 0;
  for (const auto& p : r.ports) {
    EXPECT_NE(p.rate_limit, recheck::unresolved) << p.port;
    if (p.rate_limit == recheck::rechecked) ++rechecked;
  }
  EXPECT_GT(rechecked, 0u);
  // Bounded: about one second per hidden error, plus the batches.
  EXPECT_LT(to_ms(r.elapsed), 40000.0);
}

// UDP port-unreachables come out of the same per-peer ICMP limit as the TCP probes' errors:
// one scan of both transports re-checks the silent ports of both, and every closed UDP port is
// found; another unreachable makes a UDP port filtered, never closed.
TEST_F(engine_icmp, udp_ports_share_the_icmp_limit_and_the_recheck_with_tcp) {
  fake_target_options fo;
  fo.seed = 11;
  auto target = std::make_shared<fake_target>(fo);
  std::vector<std::uint16_t> tcp_icmp, udp_closed;
  for (std::uint16_t p = 10; p < 400; p += 40) tcp_icmp.push_back(p);       // 10 TCP ports
  for (std::uint16_t p = 2000; p < 2120; p += 10) udp_closed.push_back(p);  // 12 UDP ports
  for (std::uint16_t p : tcp_icmp) target->set(p, fake_port::icmp_port_unreachable);
  for (std::uint16_t p : udp_closed) target->set(p, fake_port::icmp_port_unreachable);
  target->set(2003, fake_port::icmp_admin_prohibited);
  target->set(2005, fake_port::open);
  target->set(22, fake_port::open);
  engine e(ctx.get_executor(), {.backend = target, .udp_backend = udp_view(target)});
  scan_options o;
  o.rtt_seed = 50ms;
  o.recheck_budget = 60s;
  scan_request req = request("0-1055", o);
  req.udp_ports = *parse_port_set("2000-2199");
  scan_result r = scan(e, std::move(req));
  EXPECT_GT(target->icmp_suppressed(), 0u);
  ASSERT_EQ(r.ports.size(), 1056u);
  ASSERT_EQ(r.udp.size(), 200u);
  std::map<std::uint16_t, port_result> udp;
  for (const auto& p : r.udp) {
    EXPECT_EQ(p.proto, transport::udp);
    EXPECT_NE(p.rate_limit, recheck::unresolved) << p.port;
    udp.emplace(p.port, p);
  }
  for (std::uint16_t p : udp_closed) EXPECT_EQ(udp[p].state, port_state::closed) << p;
  EXPECT_EQ(udp[2003].state, port_state::filtered);
  EXPECT_EQ(udp[2005].state, port_state::open);
  ASSERT_TRUE(udp[2005].udp);
  EXPECT_EQ(udp[2005].udp->bytes_in, 10u);
  EXPECT_EQ(r.udp_summary().closed, udp_closed.size());
  EXPECT_EQ(r.udp_summary().stealth, 200u - udp_closed.size() - 2);
  auto m = by_port(r);
  for (std::uint16_t p : tcp_icmp) EXPECT_EQ(m[p].state, port_state::closed) << p;
  EXPECT_TRUE(r.icmp_rate_limited);
}

// A home router like the UDP e2e's in virtual time: of 29 UDP ports, 8 answer, 16 are closed
// and 3 refused (19 errors owed to a limit of 6 at once, then one a second), 2 stay silent.
// Every verdict is right, within 1.25 times the bound the limit sets, (19 - 6) s and four
// round trips, plus the first try's timeout (no round trip is known before the scan).
TEST_F(engine_icmp, a_udp_router_is_settled_near_the_bound_of_its_icmp_limit) {
  fake_target_options fo;
  fo.seed = 5;
  fo.rtt = 2ms;
  auto target = std::make_shared<fake_target>(fo);
  const std::vector<std::uint16_t> ports{
      7,    17,   19,   53,   69,   123,  137,  161,  389,   443,   500,   1194,  1434,  1900, 2457,
      3478, 3702, 4500, 5060, 5351, 5353, 5683, 6881, 10001, 11211, 19132, 27015, 41641, 51820};
  const std::set<std::uint16_t> open{7, 17, 19, 53, 123, 161, 1900, 11211};
  const std::set<std::uint16_t> refused{137, 1434, 5060}, silent{500, 51820};
  port_set udp_ports;
  for (std::uint16_t p : ports) {
    udp_ports.add(p);
    if (open.contains(p)) {
      target->set(p, fake_port::open);
    } else if (refused.contains(p)) {
      target->set(p, fake_port::icmp_admin_prohibited);
    } else if (!silent.contains(p)) {
      target->set(p, fake_port::icmp_port_unreachable);
    }
  }
  engine e(ctx.get_executor(), {.backend = target, .udp_backend = udp_view(target)});
  scan_request req;
  req.target = asio::ip::make_address("198.18.0.2");
  req.udp_ports = udp_ports;
  scan_result r = scan(e, std::move(req));
  ASSERT_EQ(r.udp.size(), ports.size());
  unsigned tries = 0;
  for (const auto& p : r.udp) {
    port_state want = open.contains(p.port)      ? port_state::open
                      : refused.contains(p.port) ? port_state::filtered
                      : silent.contains(p.port)  ? port_state::stealth
                                                 : port_state::closed;
    EXPECT_EQ(p.state, want) << p.port;
    EXPECT_NE(p.rate_limit, recheck::unresolved) << p.port;
    tries += p.tries;
  }
  std::size_t errors = ports.size() - open.size() - silent.size();
  double bound_ms = static_cast<double>(errors - 6) * 1000.0 + 4 * 2.0;
  EXPECT_LT(to_ms(r.elapsed), 1.25 * bound_ms + 1000.0);
  // Nearly every suspect is closed, so the re-check's tries go out about one at a time, as the
  // target's tokens come; today 46 tries for 29 ports, 15.3 s.
  EXPECT_LT(tries, 4 * ports.size());
}

// A router on the way refuses the UDP ports for the target, with a limit tighter than the
// model assumes (a burst of 2, one every 2 s): the target itself sends no error at all. The
// router's refusals spend the router's limit, the one the suspects' hidden errors wait on, so
// a port it refused is the witness that shows the model too loose. Without one, silences
// judged clean on the assumed burst became stealth verdicts: 15 of the 17 in 0.56 s.
TEST_F(engine_icmp, a_router_refusing_for_the_target_is_its_own_witness) {
  for (std::uint32_t seed : {3u, 4u}) {
    fake_target_options fo;
    fo.seed = seed;
    fo.icmp_burst = 2;
    fo.icmp_refill = 2s;
    fo.icmp_from = asio::ip::make_address("198.18.0.254");
    auto target = std::make_shared<fake_target>(fo);
    std::set<std::uint16_t> refused;
    for (std::uint16_t p = 20; p < 1056; p += 61) {
      target->set(p, fake_port::icmp_port_unreachable);
      refused.insert(p);
    }
    engine e(ctx.get_executor(), {.backend = target, .udp_backend = udp_view(target)});
    scan_options o;
    o.rtt_seed = 50ms;
    o.recheck_budget = 60s;
    scan_request req;
    req.target = asio::ip::make_address("198.18.0.2");
    req.udp_ports = *parse_port_set("0-1055");
    req.options = o;
    scan_result r = scan(e, std::move(req));
    ASSERT_EQ(r.udp.size(), 1056u);
    for (const auto& p : r.udp) {
      if (!refused.contains(p.port)) continue;
      EXPECT_TRUE(p.state != port_state::stealth || p.rate_limit == recheck::unresolved)
          << seed << " " << p.port;
    }
  }
}

// The target's limiter does not forget the first scan when the second starts: a scan right
// after another must not take the errors it holds back for stealth ports.
TEST_F(engine_icmp, a_scan_right_after_another_still_finds_every_icmp_closed_port) {
  auto target = std::make_shared<fake_target>();
  std::vector<std::uint16_t> icmp_ports{111, 113, 119, 135, 445, 1000};
  for (std::uint16_t p : icmp_ports) target->set(p, fake_port::icmp_port_unreachable);
  engine e(ctx.get_executor(), {.backend = target});
  scan_options o;
  o.rtt_seed = 50ms;
  o.recheck_budget = 60s;
  for (int round = 0; round < 3; ++round) {
    scan_result r = scan(e, request("0-1055", o));
    auto m = by_port(r);
    for (std::uint16_t p : icmp_ports) EXPECT_EQ(m[p].state, port_state::closed) << round << p;
    ASSERT_TRUE(e.icmp_history(asio::ip::make_address("198.18.0.2"))) << round;
  }
  EXPECT_GT(target->icmp_suppressed(), 0u);
}

// Each scan's margin is for one error of its own lost unseen. A scan that lost one leaves a
// model a token over the target, and the next scan, starting from it, must still have its own
// margin: the bed of the e2e tests, the first error of port 111 lost in the first scan and one
// error of each port in turn in the second, right after or half a second later. (Started from
// the model as it was, the second scan called up to all six closed ports stealth in 8 of these
// 12 cases; the e2e test saw it on the real bed.)
TEST_F(engine_icmp, a_scan_right_after_one_that_lost_an_error_may_lose_one_itself) {
  const std::vector<std::uint16_t> icmp_ports{111, 113, 119, 135, 445, 1000};
  for (std::uint16_t lost : icmp_ports) {
    for (auto gap : {0ms, 500ms}) {
      auto target = e2e_bed_target();
      engine e(ctx.get_executor(), {.backend = target});
      target->lose_error_nth(111, 1);
      scan(e, request("0-1055"));
      run_for(ctx, gap);
      target->lose_error_nth(lost, 1);
      auto m = by_port(scan(e, request("0-1055")));
      for (std::uint16_t p : icmp_ports) {
        EXPECT_EQ(m[p].state, port_state::closed)
            << "port " << p << ", error of " << lost << " lost, " << gap.count() << " ms after";
      }
    }
  }
}

// A target that sent no ICMP error has a full limit as far as anyone knows: the scan leaves
// nothing for the next one, which then starts from a full limit and re-probes nothing.
TEST_F(engine_icmp, a_scan_that_drew_no_error_leaves_nothing_for_the_next) {
  auto target = std::make_shared<fake_target>();
  target->set(22, fake_port::open);
  target->set(23, fake_port::reset);
  engine e(ctx.get_executor(), {.backend = target});
  scan(e, request("0-1055"));
  EXPECT_FALSE(e.icmp_history(asio::ip::make_address("198.18.0.2")));
  scan_result r = scan(e, request("0-1055"));
  EXPECT_FALSE(r.icmp_rate_limited);
  EXPECT_EQ(r.summary().stealth, 1054u);
}

TEST_F(engine_icmp, reprobing_stops_at_its_budget_and_says_so) {
  auto target = std::make_shared<fake_target>();
  for (std::uint16_t p = 0; p < 40; ++p) target->set(p, fake_port::icmp_port_unreachable);
  engine e(ctx.get_executor(), {.backend = target});
  scan_options o;
  o.rtt_seed = 50ms;
  o.recheck_budget = 3s;
  scan_result r = scan(e, request("0-199", o));
  ASSERT_EQ(r.ports.size(), 200u);
  std::size_t unresolved = 0;
  for (const auto& p : r.ports) {
    if (p.rate_limit == recheck::unresolved) {
      ++unresolved;
      EXPECT_EQ(p.state, port_state::stealth);
    }
    if (p.state == port_state::closed) {
      EXPECT_LT(p.port, 40);  // never a false closed
    }
  }
  EXPECT_GT(unresolved, 0u);
  EXPECT_LT(to_ms(r.elapsed), 5000.0);
}

TEST_F(engine_icmp, a_target_without_an_icmp_limit_costs_a_bounded_recheck_and_no_wrong_verdict) {
  fake_target_options fo;
  fo.icmp_rate_limit = false;
  auto target = std::make_shared<fake_target>(fo);
  for (std::uint16_t p = 0; p < 1056; p += 10) target->set(p, fake_port::icmp_admin_prohibited);
  engine e(ctx.get_executor(), {.backend = target});
  scan_options o;
  o.rtt_seed = 50ms;
  scan_result r = scan(e, request("0-1055", o));
  EXPECT_EQ(r.summary().closed, 106u);
  EXPECT_EQ(r.summary().stealth, 950u);
  for (const auto& p : r.ports) EXPECT_NE(p.rate_limit, recheck::unresolved) << p.port;
  // The model assumes a Linux-like limit, so it re-probes silent ports it need not have
  // (about 4 s here): slower, never wrong.
  EXPECT_LT(to_ms(r.elapsed), 15000.0);
}

// Issue 17's bed without loss, one refused port's first error lost on the way: the model is a
// token over the target, and the last audit comes once the target holds a clean silence's
// tokens again. It sends one try more than the errors it needs; the target has no token for
// that one. The scan ends when the errors that pass the audit are back, 14.05 s, not when the
// spare try times out (14.20 s), with every refused
// port found and none unresolved, as is a scan right after.
TEST_F(engine_icmp, the_last_audit_does_not_wait_out_its_spare_try) {
  for (std::uint16_t lost : std::initializer_list<std::uint16_t>{20, 600}) {
    auto target = std::make_shared<fake_target>();
    breakwater::probe::testing::bed_ports(*target);
    target->lose_error_nth(lost, 1);
    engine e(ctx.get_executor(), {.backend = target});
    scan_options o;
    o.rtt_seed = 50ms;
    auto refused = [](const scan_result& r) {
      std::size_t n = 0;
      for (const port_result& p : r.ports) {
        n += p.why == reason::icmp_unreachable ? 1 : 0;
        EXPECT_NE(p.rate_limit, recheck::unresolved) << p.port;
      }
      return n;
    };
    scan_result first = scan(e, request("0-1055", o));
    EXPECT_LT(first.elapsed, 14100ms) << lost;
    EXPECT_EQ(refused(first), breakwater::probe::testing::bed_refusing_ports) << lost;
    scan_result second = scan(e, request("0-1055", o));
    EXPECT_EQ(refused(second), breakwater::probe::testing::bed_refusing_ports) << lost;
  }
}

// Issue 17's bed without loss: the audit after the last batch is made early, while the
// batch's last tries wait out their timeouts, where the model holds a little over two tokens.
// It needs two errors and sends a third try, for which the target has no token. The audit is
// over once the two errors are back, 13.42 s, and the spare try, cancelled then, does not hold
// the scan to its timeout (13.52 s). The cancelled try counts as if it drew an error, and a
// scan right after, which starts from what this one left of the limit, is right too.
TEST_F(engine_icmp, the_early_audit_does_not_wait_out_its_spare_try) {
  auto target = std::make_shared<fake_target>();
  breakwater::probe::testing::bed_ports(*target);
  engine e(ctx.get_executor(), {.backend = target});
  scan_options o;
  o.rtt_seed = 50ms;
  for (int n = 0; n < 2; ++n) {
    scan_result r = scan(e, request("0-1055", o));
    if (n == 0) {
      EXPECT_LT(r.elapsed, 13450ms);
    }
    EXPECT_EQ(r.summary().closed, 160u + breakwater::probe::testing::bed_refusing_ports) << n;
    for (const auto& p : r.ports) EXPECT_NE(p.rate_limit, recheck::unresolved) << p.port;
  }
}

// The witness's tries on issue 17's bed without loss (port 20: its first try found it
// refused; then the scan's tries of the limit, and the audits), one of them failing to leave:
// it shows nothing, and the scan goes on. Where it is the audit's first try and the second is
// lost too, the audit hears one error of the two it needs: it must count the try that did not
// leave as back (not wait for it for ever), fail, and audit again.
TEST_F(engine_icmp, a_witness_try_that_cannot_leave_shows_nothing_and_the_recheck_goes_on) {
  std::size_t witness_tries = 0;
  {
    auto target = std::make_shared<fake_target>();
    breakwater::probe::testing::bed_ports(*target);
    engine e(ctx.get_executor(), {.backend = target});
    scan_options o;
    o.rtt_seed = 50ms;
    scan(e, request("0-1055", o));
    witness_tries = target->probes_of(20);
  }
  ASSERT_GT(witness_tries, 4u);
  for (std::size_t n :
       {std::size_t{2}, witness_tries / 2, witness_tries - 2, witness_tries - 1, witness_tries}) {
    auto target = std::make_shared<fake_target>();
    breakwater::probe::testing::bed_ports(*target);
    // The audit's first try: its second is lost on the way too, and the audit hears only
    // from its third (one error of the two it needs) and from the try that did not leave.
    if (n == witness_tries - 2) target->lose_nth(20, n);
    auto failing = std::make_shared<fails_nth_send>(target, 20, n);
    engine e(ctx.get_executor(), {.backend = failing});
    scan_options o;
    o.rtt_seed = 50ms;
    scan_result r = scan(e, request("0-1055", o));
    EXPECT_GE(std::count_if(failing->tries.begin(), failing->tries.end(),
                            [](const probe_try& t) { return t.port == 20; }),
              static_cast<std::ptrdiff_t>(n))
        << n;
    EXPECT_EQ(r.summary().closed, 160u + breakwater::probe::testing::bed_refusing_ports) << n;
    EXPECT_LT(r.elapsed, 16s) << n;
    for (const auto& p : r.ports)
      EXPECT_NE(p.rate_limit, recheck::unresolved) << n << " " << p.port;
  }
}

}  // namespace
