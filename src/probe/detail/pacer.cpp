#include "probe/detail/pacer.hpp"

#include <algorithm>

namespace breakwater::probe {

pacer::pacer(double rate_per_second, unsigned burst) : rate_(rate_per_second) {
  if (rate_ > 0) {
    interval_ = std::chrono::duration_cast<duration>(std::chrono::duration<double>(1.0 / rate_));
    if (interval_ <= duration::zero()) interval_ = duration(1);
    tolerance_ = std::max(interval_ * (burst > 0 ? burst - 1 : 0), pacer_min_tolerance);
  }
}

time_point pacer::earliest(time_point now) const noexcept {
  if (rate_ <= 0) return now;
  return std::max(now, tat_ - tolerance_);
}

void pacer::commit(time_point at) noexcept {
  if (rate_ <= 0) return;
  tat_ = std::max(tat_, at) + interval_;
}

namespace {

std::size_t slot_of(time_point tick) noexcept {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tick.time_since_epoch());
  return static_cast<std::size_t>(ms.count()) % recent_count::window_ticks;
}

}  // namespace

void recent_count::note(time_point now) noexcept {
  time_point tick = next_tick(now);
  tick_total& t = ticks_[slot_of(tick)];
  if (t.tick != tick) t = {tick, 0};
  ++t.n;
}

std::size_t recent_count::recent(time_point now) const noexcept {
  time_point tick = next_tick(now);
  const duration window = std::chrono::milliseconds(window_ticks);
  std::size_t n = 0;
  for (const tick_total& t : ticks_) {
    if (t.tick <= tick && tick - t.tick < window) n += t.n;
  }
  return n;
}

}  // namespace breakwater::probe
