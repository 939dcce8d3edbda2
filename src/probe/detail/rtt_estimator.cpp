#include "probe/detail/rtt_estimator.hpp"

#include <algorithm>

namespace breakwater::probe {

void rtt_estimator::sample(duration rtt) {
  if (rtt < duration::zero()) rtt = duration::zero();
  fastest_ = fastest_ ? std::min(*fastest_, rtt) : rtt;
  if (!srtt_) {
    srtt_ = rtt;  // RFC 6298 2.2
    rttvar_ = rtt / 2;
    return;
  }
  // RFC 6298 2.3 with alpha = 1/8, beta = 1/4.
  duration err = *srtt_ > rtt ? *srtt_ - rtt : rtt - *srtt_;
  rttvar_ = (rttvar_ * 3 + err) / 4;
  srtt_ = (*srtt_ * 7 + rtt) / 8;
}

duration rtt_estimator::rto() const noexcept {
  if (!srtt_) return std::clamp(limits_.initial, limits_.floor, limits_.ceiling);
  duration rto = *srtt_ + std::max(limits_.granularity, rttvar_ * 4);
  return std::clamp(rto, limits_.floor, limits_.ceiling);
}

duration rtt_estimator::timeout_for_try(unsigned try_number) const noexcept {
  duration t = rto();
  unsigned factor = 1;
  for (unsigned i = 1; i < try_number && factor * 2 <= limits_.max_backoff; ++i) factor *= 2;
  return std::min(t * factor, limits_.ceiling);
}

}  // namespace breakwater::probe
