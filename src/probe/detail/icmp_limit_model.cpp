#include "probe/detail/icmp_limit_model.hpp"

#include <algorithm>

namespace breakwater::probe {

void icmp_limit_model::consume(time_point probe_sent) {
  consumed_.insert(std::upper_bound(consumed_.begin(), consumed_.end(), probe_sent), probe_sent);
}

double icmp_limit_model::tokens_before(time_point t) const {
  double tokens = start_ ? std::clamp(start_->tokens, 0.0, limit_.burst) : limit_.burst;
  time_point last = start_ ? start_->at : time_point{};
  bool started = start_.has_value();
  auto refill = [&](time_point to) {
    if (started) {
      double gained = std::max(0.0, std::chrono::duration<double>(to - last) /
                                        std::chrono::duration<double>(limit_.refill));
      tokens = std::min(limit_.burst, tokens + gained);
    }
    last = to;
    started = true;
  };
  for (time_point c : consumed_) {
    if (c >= t) break;
    refill(c);
    // An error the model did not expect means the limit is looser than modelled; stay at zero
    // rather than going negative so that later estimates stay lower bounds.
    tokens = std::max(0.0, tokens - 1.0);
  }
  refill(t);
  return tokens;
}

time_point icmp_limit_model::refilled_to(double tokens, time_point now) const {
  double have = tokens_before(now);
  if (have >= tokens) return now;
  auto wait = std::chrono::duration<double>(limit_.refill) * (tokens - have);
  return now + std::chrono::duration_cast<duration>(wait);
}

}  // namespace breakwater::probe
