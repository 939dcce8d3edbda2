// The engine's clock: steady time, or virtual time that tests advance by hand (no sleeps).
#pragma once

#include <chrono>

namespace breakwater::probe {

struct clock {
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<clock, duration>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept;

  // Tests only: switch to virtual time (starting at an arbitrary epoch) and move it on.
  static void use_virtual_time(bool on) noexcept;
  static bool virtual_time() noexcept;
  static void advance(duration d) noexcept;
  // Tests only: the earliest timer expiry the event loop has asked about since the last call
  // (time_point::max() if none), and forgets it. Idle virtual time may jump straight there.
  static time_point take_next_expiry() noexcept;
};

// Under virtual time the reactor must never block, so timers report zero waits; the test
// loop polls and advances the clock whenever nothing is ready, to the earliest expiry the
// reactor asked about (it asks at every poll) or by a step.
struct wait_traits {
  static clock::duration to_wait_duration(const clock::duration& d);
  static clock::duration to_wait_duration(const clock::time_point& t);
};

using duration = clock::duration;
using time_point = clock::time_point;

// The first whole millisecond at or after `t`. Wake-ups rounded to it share a timer expiry
// (one wake of the event loop, one re-armed timerfd) instead of each costing its own.
inline time_point next_tick(time_point t) noexcept {
  return time_point{std::chrono::ceil<std::chrono::milliseconds>(t.time_since_epoch())};
}

inline double to_ms(duration d) noexcept {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace breakwater::probe
