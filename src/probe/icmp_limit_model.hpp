// A model of the target's ICMP error rate limit (Linux: a burst of 6, then one per second per
// destination), to tell which silent probes could have been answered by a hidden ICMP error.
#pragma once

#include "probe/clock.hpp"

#include <vector>

namespace breakwater::probe {

struct icmp_limit {
  double burst = 6;                                   // tokens when full
  duration refill = std::chrono::milliseconds(1000);  // time per new token
};

class icmp_limit_model {
 public:
  explicit icmp_limit_model(icmp_limit limit = {}) : limit_(limit) {}

  // The target sent an ICMP error for a probe sent at `probe_sent` (times are the scanner's
  // send times: the one-way delay shifts every event equally).
  void consume(time_point probe_sent);
  // Tokens the target had for a probe sent at `t`, counting every error seen before `t`.
  // A lower bound only if every error was seen; callers keep a margin for lost ones.
  double tokens_before(time_point t) const;
  // When the bucket will hold `tokens` again, if no more errors are sent from `now` on.
  time_point refilled_to(double tokens, time_point now) const;
  std::size_t errors_seen() const noexcept { return consumed_.size(); }
  const icmp_limit& limit() const noexcept { return limit_; }

 private:
  icmp_limit limit_;
  std::vector<time_point> consumed_;  // sorted
};

}  // namespace breakwater::probe
