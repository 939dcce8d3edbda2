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
  void start(engine& e, const asio::ip::address& target, const char* ports, scan_outcome& out) {
    scan_request r;
    r.target = target;
    r.ports = *parse_port_set(ports);
    r.options.rtt_seed = 50ms;
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
  auto other = std::make_shared<fake_target>();
  net->add(busy, other);
  engine e(ctx.get_executor(), {.max_rate = 4000, .backend = net});
  scan_outcome a;
  scan_outcome b;
  start(e, spender, "0-1055", a);
  start(e, busy, "0-4095", b);
  run({&a, &b});
  ASSERT_TRUE(*a);
  ASSERT_TRUE(*b);
  expect_right(**a, *target);
  EXPECT_EQ((*b)->summary().stealth, 4096u);
  EXPECT_LT(rechecked(**a), 10u);  // 1,040 when it sends on, as alone
  EXPECT_LT(static_cast<double>(target->probes()) / 1056, 2.12);  // 2.79 likewise
}

// Alone, the scan has no one to leave the pace to: it sends at its own rate and the re-check
// settles what the spent limit left in doubt, sooner than waiting for the refill would.
TEST_F(shared_pace, a_scan_alone_does_not_hold_its_tries) {
  auto target = spending_target();
  engine e(ctx.get_executor(), {.max_rate = 4000, .backend = net});
  scan_outcome a;
  start(e, spender, "0-1055", a);
  run({&a});
  ASSERT_TRUE(*a);
  expect_right(**a, *target);
  EXPECT_GT(rechecked(**a), 1000u);
}

// A target that refuses every port with an error keeps its limit spent: the scan holds its
// tries for at most two seconds in all, then sends them at its share of the pace.
TEST_F(shared_pace, holding_for_a_target_that_refuses_everything_is_bounded) {
  fake_target_options fo;
  fo.other_ports = fake_port::icmp_port_unreachable;
  auto target = std::make_shared<fake_target>(fo);
  net->add(spender, target);
  auto other = std::make_shared<fake_target>();
  net->add(busy, other);
  engine e(ctx.get_executor(), {.max_rate = 4000, .backend = net});
  scan_outcome a;
  scan_outcome b;
  start(e, spender, "0-299", a);
  start(e, busy, "0-8191", b);
  run({&a, &b});
  ASSERT_TRUE(*a);
  ASSERT_TRUE(*b);
  // The re-check finds what closed ports its budget allows at the target's pace, as it
  // would alone; the rest are stealth, said to be unsure.
  for (const auto& p : (*a)->ports) {
    if (p.state != port_state::closed) {
      EXPECT_EQ(p.rate_limit, recheck::unresolved) << p.port;
    }
  }
  // Every port had its first try by 300 tries at 2,000 a second after the two seconds.
  auto sends = target->send_times();
  ASSERT_FALSE(sends.empty());
  std::size_t first_tries_by = 0;
  for (auto t : sends) first_tries_by += t - sends.front() < 2150ms + 300 * 500us;
  EXPECT_GE(first_tries_by, 300u);
}

}  // namespace
