// The test loop's virtual clock (tests/support/virtual_time.hpp): idle time is skipped to the
// next timer, and timers fire at the millisecond they would if the clock only stepped.
#include "support/virtual_time.hpp"
#include "probe/detail/timer.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <vector>

namespace breakwater::probe {
namespace {

using namespace std::chrono_literals;
using testing::run_for;
using testing::run_until;
using testing::virtual_time;

struct virtual_time_loop : ::testing::Test {
  virtual_time vt;
  boost::asio::io_context ctx;
  const time_point start = clock::now();  // after vt: on the virtual clock
};

TEST_F(virtual_time_loop, timers_fire_at_the_step_at_or_after_their_expiry) {
  std::vector<duration> fired;
  timer a(ctx), b(ctx), c(ctx);
  auto note = [&](boost::system::error_code) { fired.push_back(clock::now() - start); };
  // 2.5 ms: the 3 ms step; 2.7 s: beyond one jump's second, so reached in three.
  a.expires_at(start + 2500us);
  b.expires_at(start + 700ms);
  c.expires_at(start + 2700ms);
  a.async_wait(note);
  b.async_wait(note);
  c.async_wait(note);
  int looks = 0;
  run_until(ctx, [&] {
    ++looks;
    return fired.size() == 3;
  });
  EXPECT_EQ(fired, (std::vector<duration>{3ms, 700ms, 2700ms}));
  // Stepping a millisecond at a time, the loop would have looked 2,700 times.
  EXPECT_LT(looks, 20);
}

TEST_F(virtual_time_loop, a_cancelled_timer_does_not_hide_the_next) {
  std::optional<duration> fired;
  timer first(ctx), second(ctx), cancel(ctx);
  first.expires_at(start + 100ms);
  first.async_wait([](boost::system::error_code) {});
  second.expires_at(start + 200ms);
  second.async_wait([&](boost::system::error_code) { fired = clock::now() - start; });
  // The earliest timer goes before it expires, after the loop named its expiry: the loop
  // moves there, and on to the next.
  cancel.expires_at(start + 50ms);
  cancel.async_wait([&](boost::system::error_code) { first.cancel(); });
  run_until(ctx, [&] { return fired.has_value(); });
  EXPECT_EQ(fired, 200ms);
}

TEST_F(virtual_time_loop, run_for_stops_at_its_time_not_at_the_next_timer) {
  timer later(ctx);
  later.expires_at(start + 700ms);
  later.async_wait([](boost::system::error_code) {});
  run_for(ctx, 300ms);
  EXPECT_EQ(clock::now() - start, 300ms);
  later.cancel();
  ctx.poll();
}

TEST_F(virtual_time_loop, an_idle_loop_moves_a_second_at_most_at_once) {
  timer never(ctx);
  never.expires_at(start + std::chrono::hours(24));
  never.async_wait([](boost::system::error_code) {});
  // Nothing but the "never" timer: the loop still polls at least once a virtual second, so a
  // test waiting for something else is not run out of its virtual time limit at once.
  int polls_seen = 0;
  run_until(ctx, [&] { return ++polls_seen > 3; });
  EXPECT_LE(clock::now() - start, 3s);
  EXPECT_GT(clock::now() - start, 0s);
  never.cancel();
  ctx.poll();
}

}  // namespace
}  // namespace breakwater::probe
