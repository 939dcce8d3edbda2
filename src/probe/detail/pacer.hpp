// Paces new probes: at most `rate` per second with a small burst (generic cell rate algorithm).
#pragma once

#include "probe/detail/clock.hpp"

#include <array>
#include <cstddef>

namespace breakwater::probe {

// Sends wait for millisecond ticks (see scan_run::wait_send_slots): a burst shorter than this
// would lose, at every wake-up, the time between its last slot and the tick, so that a high
// rate could never be kept. The burst covers at least two ticks at the rate.
inline constexpr duration pacer_min_tolerance = std::chrono::milliseconds(2);

class pacer {
 public:
  // rate <= 0 means unlimited. `burst` probes may go at once, and at least the probes of
  // pacer_min_tolerance at the rate.
  explicit pacer(double rate_per_second = 0, unsigned burst = 8);

  // The earliest time at or after `now` when the next probe may go.
  time_point earliest(time_point now) const noexcept;
  // Books one probe sent at `at` (which must be >= earliest()). `at` may be ahead of now: the
  // slot is then taken for a probe that waits for it.
  void commit(time_point at) noexcept;
  double rate() const noexcept { return rate_; }

 private:
  double rate_;
  duration interval_{};
  duration tolerance_{};  // how far ahead of schedule a burst may run
  time_point tat_{};      // theoretical arrival time of the next probe
};

// Events of the last few millisecond ticks (the current one included): how often the
// engine-wide pace held scans back lately. Scans book their slots about once a tick while the
// pace holds them, so a window of a few ticks sees every one of them.
class recent_count {
 public:
  static constexpr std::size_t window_ticks = 4;
  void note(time_point now) noexcept;
  std::size_t recent(time_point now) const noexcept;

 private:
  struct tick_total {
    time_point tick{};
    std::size_t n = 0;
  };
  std::array<tick_total, window_ticks> ticks_{};
};

}  // namespace breakwater::probe
