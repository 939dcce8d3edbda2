#include "probe/detail/icmp_limit_model.hpp"

#include <algorithm>
#include <cmath>

namespace breakwater::probe {

void icmp_limit_model::consume(time_point probe_sent) {
  auto at = std::upper_bound(consumed_.begin(), consumed_.end(), probe_sent);
  // An error of an earlier probe than the checkpoint's last changes the walk before it.
  if (static_cast<std::size_t>(at - consumed_.begin()) < checkpoint_.index) checkpoint_ = {};
  consumed_.insert(at, probe_sent);
}

void icmp_limit_model::add_unseen(time_point t, double level) {
  double held = tokens_before(t);
  if (held < level) return;
  auto n = static_cast<std::size_t>(std::floor(held - level)) + 1;
  for (std::size_t i = 0; i < n; ++i) consume(t - duration(1));
  unseen_ += n;
}

void icmp_limit_model::tighten() {
  if (limit_.burst > 2) {
    limit_.burst = std::max(2.0, std::floor(limit_.burst / 2));
  } else {
    limit_.refill *= 2;
  }
  checkpoint_ = {};
}

void icmp_limit_model::tighten_to(time_point t, double level) {
  tighten();
  while (limit_.burst > 2 && tokens_before(t) >= level) tighten();
  add_unseen(t, level);
}

// Walks the errors of probes sent before `t`, with `pending` (time, weight, sorted by time)
// spent as well, calling on_error(tokens held) for each error seen before it spends its token;
// returns the tokens held at `t`. Without pending errors and without on_error it starts from
// the checkpoint of an earlier walk when it can, so that a scan asking again and again as
// time goes on walks each error about once.
template <class OnError>
double icmp_limit_model::walk(time_point t, OnError on_error, bool use_checkpoint,
                              const std::vector<std::pair<time_point, double>>& pending) const {
  double tokens = start_ ? std::clamp(start_->tokens, 0.0, limit_.burst) : limit_.burst;
  time_point last = start_ ? start_->at : time_point{};
  bool started = start_.has_value();
  std::size_t i = 0;
  if (use_checkpoint && pending.empty() && checkpoint_.index > 0 && checkpoint_.last <= t &&
      consumed_[checkpoint_.index - 1] < t) {
    i = checkpoint_.index;
    tokens = checkpoint_.tokens;
    last = checkpoint_.last;
    started = true;
  }
  auto refill = [&](time_point to) {
    if (started) {
      double gained = std::max(0.0, std::chrono::duration<double>(to - last) /
                                        std::chrono::duration<double>(limit_.refill));
      tokens = std::min(limit_.burst, tokens + gained);
    }
    last = std::max(last, to);
    started = true;
  };
  std::size_t j = 0;
  for (;;) {
    bool seen = i < consumed_.size() && consumed_[i] < t;
    bool due = j < pending.size() && pending[j].first < t;
    if (!seen && !due) break;
    if (seen && (!due || consumed_[i] <= pending[j].first)) {
      refill(consumed_[i]);
      on_error(tokens);
      // An error the model did not expect means the limit is looser than modelled; stay at
      // zero rather than going negative so that later estimates stay lower bounds.
      tokens = std::max(0.0, tokens - 1.0);
      ++i;
    } else {
      refill(pending[j].first);
      tokens = std::max(0.0, tokens - pending[j].second);
      ++j;
    }
  }
  // Kept as far on as walks have come (a walk for an earlier time does not move it back).
  if (use_checkpoint && pending.empty() && i > checkpoint_.index) checkpoint_ = {i, tokens, last};
  refill(t);
  return tokens;
}

double icmp_limit_model::tokens_before(time_point t, duration reorder) const {
  double tokens = walk(t, [](double) {}, true, {});
  if (reorder > duration::zero()) {
    auto first = std::lower_bound(consumed_.begin(), consumed_.end(), t);
    auto last = std::lower_bound(first, consumed_.end(), t + reorder);
    tokens = std::max(0.0, tokens - static_cast<double>(last - first));
  }
  return tokens;
}

double icmp_limit_model::tokens_expected(
    time_point t, const std::vector<std::pair<time_point, double>>& pending) const {
  return walk(
      t, [](double) {}, false, pending);
}

std::size_t icmp_limit_model::errors_while_holding(double level) const {
  std::size_t n = 0;
  walk(time_point::max(), [&](double tokens) { n += tokens >= level ? 1 : 0; }, false, {});
  return n;
}

time_point icmp_limit_model::refilled_to(double tokens, time_point now) const {
  double have = tokens_before(now);
  if (have >= tokens) return now;
  auto wait = std::chrono::duration<double>(limit_.refill) * (tokens - have);
  // Rounded up, and a microsecond more for the rounding of the walk: at the time returned the
  // model holds the tokens asked for, so a caller that waits for it never finds it short.
  return now + std::chrono::ceil<duration>(wait) + std::chrono::microseconds(1);
}

}  // namespace breakwater::probe
