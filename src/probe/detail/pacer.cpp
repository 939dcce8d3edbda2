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

}  // namespace breakwater::probe
