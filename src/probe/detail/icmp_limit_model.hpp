// A model of the target's ICMP error rate limit (Linux: a burst of 6, then one per second per
// destination), to tell which silent probes could have been answered by a hidden ICMP error.
#pragma once

#include "probe/detail/clock.hpp"

#include <optional>
#include <vector>

namespace breakwater::probe {

struct icmp_limit {
  double burst = 6;                                   // tokens when full
  duration refill = std::chrono::milliseconds(1000);  // time per new token
};

// How full a target's bucket was at some moment: what one scan leaves for the next.
struct icmp_bucket {
  double tokens = 0;
  time_point at{};
};

class icmp_limit_model {
 public:
  explicit icmp_limit_model(icmp_limit limit = {}) : limit_(limit) {}

  // The bucket held `b.tokens` at `b.at` (an earlier scan's errors), not a full burst.
  void start_from(icmp_bucket b) { start_ = b; }
  // Nothing known to have spent the target's limit: no error seen, no earlier scan's.
  bool untouched() const noexcept { return consumed_.empty() && !start_; }

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
  std::optional<icmp_bucket> start_;
  std::vector<time_point> consumed_;  // sorted
};

}  // namespace breakwater::probe
