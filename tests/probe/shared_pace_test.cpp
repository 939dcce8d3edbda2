// Scans that share one engine's pace, in virtual time: each visitor is its own fake target
// behind one prober, as the service's visitors are behind one raw socket.
#include "probe/engine.hpp"
#include "support/fake_target.hpp"
#include "support/virtual_time.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <map>
#include <optional>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace std::chrono_literals;

// Several fake targets, each answering for its own address.
class fake_network final : public coroutine_prober {
 public:
  void add(const asio::ip::address& a, std::shared_ptr<fake_target> t) { targets_[a] = t; }
  asio::awaitable<probe_outcome> probe(asio::ip::address target, std::uint16_t port,
                                       duration timeout) override {
    co_return co_await targets_.at(target)->probe(target, port, timeout);
  }

 private:
  std::map<asio::ip::address, std::shared_ptr<fake_target>> targets_;
};

using scan_outcome = std::optional<boost::system::result<scan_result, failure>>;

struct shared_pace : ::testing::Test {
  breakwater::probe::testing::virtual_time vt;
  asio::io_context ctx;
  std::shared_ptr<fake_network> net = std::make_shared<fake_network>();
  // Paced at 4,000 probes a second for all scans; each scan would send 6,000.
  engine e{ctx.get_executor(), {.max_rate = 4000, .backend = net}};
  const asio::ip::address spender = asio::ip::make_address("198.18.1.1");
  const asio::ip::address busy = asio::ip::make_address("198.18.1.2");

  // Five ICMP-rejecting ports early in 0-1055, one open, ten resetting, the rest dropped: the
  // five errors leave the target's burst of six one token, no spare one, a fifth into the
  // scan (as the mixes of bench/scan_visitors.sh do). None is hidden.
  std::shared_ptr<fake_target> spending_target(fake_target_options o = {}) {
    auto t = std::make_shared<fake_target>(o);
    for (std::uint16_t p = 100; p <= 200; p += 25) t->set(p, fake_port::icmp_port_unreachable);
    t->set(22, fake_port::open);
    for (std::uint16_t p = 600; p < 610; ++p) t->set(p, fake_port::reset);
    net->add(spender, t);
    return t;
  }

  // Starts a scan of `target`; its outcome lands in `out`.
  void start(const asio::ip::address& target, const char* ports, scan_outcome& out,
             bool seeded = true) {
    scan_request r;
    r.target = target;
    r.ports = *parse_port_set(ports);
    if (seeded) r.options.rtt_seed = 50ms;
    asio::co_spawn(ctx, e.scan(std::move(r)),
                   [&out](std::exception_ptr, boost::system::result<scan_result, failure> res) {
                     out = std::move(res);
                   });
  }

  void run(const std::vector<scan_outcome*>& outs) {
    breakwater::probe::testing::run_until(ctx, [&] {
      return std::all_of(outs.begin(), outs.end(), [](auto* o) { return o->has_value(); });
    });
  }

  // Scans `ports` of the spender while another scan, of `busy_ports` on a target that drops
  // everything, waits for the pace throughout; returns the spender's result.
  scan_result beside_busy(const char* ports, const char* busy_ports, bool seeded = true) {
    auto other = std::make_shared<fake_target>();
    net->add(busy, other);
    scan_outcome a;
    scan_outcome b;
    start(spender, ports, a, seeded);
    start(busy, busy_ports, b);
    run({&a, &b});
    EXPECT_TRUE(*b);
    if (*b) {
      EXPECT_EQ((*b)->summary().stealth, (*b)->ports.size());
    }
    EXPECT_TRUE(*a);
    return *a ? std::move(**a) : scan_result{};
  }
};

std::size_t rechecked(const scan_result& r) {
  return static_cast<std::size_t>(std::count_if(
      r.ports.begin(), r.ports.end(), [](auto& p) { return p.rate_limit == recheck::rechecked; }));
}

void expect_right(const scan_result& r, const fake_target& t) {
  for (const auto& p : r.ports) {
    port_state want = port_state::closed;
    if (t.behaviour(p.port) == fake_port::open) want = port_state::open;
    if (t.behaviour(p.port) == fake_port::drop) want = port_state::stealth;
    EXPECT_EQ(p.state, want) << p.port;
  }
}

// While its target's limit is spent a scan's tries prove less (a silence is not clean), so
// when another scan waits for the shared pace it holds them until the limit has refilled; and
// the ports it had sent before the errors came back get their clean tries in the main pass,
// where they share the pace, not in a re-check round of their own after it.
TEST_F(shared_pace, a_scan_whose_target_limit_is_spent_leaves_the_pace_to_others) {
  auto target = spending_target();
  scan_result a = beside_busy("0-1055", "0-4095");
  expect_right(a, *target);
  EXPECT_LT(rechecked(a), 10u);  // 1,040 when it sends on, as alone
  EXPECT_LT(static_cast<double>(target->probes()) / 1056, 2.12);  // 2.79 likewise
}

// Before its first round trip a scan sends each port's next try while the first still
// listens (hedging). A scan that starts where an earlier one left its target's limit spent
// holds; when its tries go, each port's first silence comes back while its hedged try is
// still out, and must not earn it a third. (Nothing answers in 700-1055: no round trip is
// ever measured, every port is hedged.)
TEST_F(shared_pace, a_hedged_try_still_out_is_not_doubled_by_a_clean_try) {
  auto target = spending_target();
  scan_outcome first;
  start(spender, "100-200", first);  // its five errors leave one token, none to spare
  run({&first});
  const std::size_t before = target->probes();
  scan_result a = beside_busy("700-1055", "0-4095", false);
  expect_right(a, *target);
  // Two each, and a third for the few sent before the scan knew to hold (unclean first
  // tries); 3 x 356 when a silence with a try still out asked for one.
  EXPECT_LT(target->probes() - before, 2u * 356 + 40);
}

// Alone, the scan has no one to leave the pace to: it sends at its own rate and the re-check
// settles what the spent limit left in doubt, sooner than waiting for the refill would.
TEST_F(shared_pace, a_scan_alone_does_not_hold_its_tries) {
  auto target = spending_target();
  scan_outcome a;
  start(spender, "0-1055", a);
  run({&a});
  ASSERT_TRUE(*a);
  expect_right(**a, *target);
  EXPECT_GT(rechecked(**a), 1000u);
}

// A target that refuses every port with an error keeps its limit spent: the scan holds its
// tries for two seconds in all (the refill of the spare token from empty), then sends them at
// its share of the pace.
TEST_F(shared_pace, holding_for_a_target_that_refuses_everything_is_bounded) {
  fake_target_options fo;
  fo.other_ports = fake_port::icmp_port_unreachable;
  auto target = std::make_shared<fake_target>(fo);
  net->add(spender, target);
  scan_result a = beside_busy("0-299", "0-8191");
  // The re-check finds what closed ports its budget allows at the target's pace, as it
  // would alone; the rest are stealth, said to be unsure.
  for (const auto& p : a.ports) {
    if (p.state != port_state::closed) {
      EXPECT_EQ(p.rate_limit, recheck::unresolved) << p.port;
    }
  }
  // Sent on at its share, 2,000 a second, the 300 first tries would all be out by 0.15 s.
  // Held, they wait: the last goes after the two seconds, and not much later.
  const auto& first = target->first_sent();
  ASSERT_EQ(first.size(), 300u);
  time_point began = first.begin()->second;
  time_point last = began;
  for (const auto& [port, at] : first) {
    began = std::min(began, at);
    last = std::max(last, at);
  }
  EXPECT_GT(last - began, 1900ms);
  EXPECT_LT(last - began, 2000ms + 300ms);
}

}  // namespace
