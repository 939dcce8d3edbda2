#include "probe/detail/icmp_limit_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace breakwater::probe {

void icmp_limit_model::consume(time_point probe_sent) {
  auto at = std::upper_bound(consumed_.begin(), consumed_.end(), probe_sent);
  after_valid_ = std::min(after_valid_, static_cast<std::size_t>(at - consumed_.begin()));
  consumed_.insert(at, probe_sent);
}

void icmp_limit_model::consume_unseen(time_point probe_sent) {
  consume(probe_sent);
  unseen_at_.insert(std::upper_bound(unseen_at_.begin(), unseen_at_.end(), probe_sent), probe_sent);
}

void icmp_limit_model::add_unseen(time_point t, double level) {
  double held = tokens_before(t);
  if (held < level) return;
  auto n = static_cast<std::size_t>(std::floor(held - level)) + 1;
  for (std::size_t i = 0; i < n; ++i) consume_unseen(t - duration(1));
}

bool icmp_limit_model::token_shown_at(time_point t, double held) const {
  // An error the model held no token for: the limit is looser than modelled. A refill learned
  // from the target is a lower bound of its own: the target may refill faster still.
  if (tightened_ || loosened_ || errors_while_holding(1.0) < errors_seen()) return false;
  auto first = std::upper_bound(consumed_.begin(), consumed_.end(), t);
  auto i = static_cast<std::size_t>(first - consumed_.begin());
  for (; i < consumed_.size(); ++i) {
    if (is_unseen(i)) return false;
    double before = tokens_before(consumed_[i]);
    // Full (the most it ever is just before an error): the target may have caught up.
    if (before >= limit_.burst) return false;
    if (before <= held) return true;
  }
  return false;
}

void icmp_limit_model::tighten() {
  tightened_ = true;
  if (loosened_) {
    // The refill learned is what the target's errors proved, so it is the first suspect: half
    // of it, but no slower than assumed; one more loss should not send the scan back to 1/s.
    limit_.refill = std::min(base_refill_, 2 * limit_.refill);
    loosened_ = limit_.refill < base_refill_;
  } else if (const double halved = halved_burst(); halved < limit_.burst) {
    limit_.burst = halved;
  } else {
    limit_.refill *= 2;
  }
  after_valid_ = 0;
}

// Half the burst, but not below 2 (see tighten) nor below what the target has shown (rounded:
// six errors in 50 ms show 5.95 tokens of a burst of 6, the refill meanwhile aside).
double icmp_limit_model::halved_burst() const {
  return std::max({2.0, std::floor(limit_.burst / 2), std::round(burst_shown())});
}

double icmp_limit_model::burst_shown() const {
  const std::vector<time_point> seen = seen_errors();
  const double per = std::chrono::duration<double>(std::min(limit_.refill, base_refill_)).count();
  double shown = 0;
  for (std::size_t i = 0; i < seen.size() && shown < limit_.burst; ++i) {
    for (std::size_t j = i; j < seen.size() && seen[j] - seen[i] <= burst_span; ++j) {
      double refilled = std::chrono::duration<double>(seen[j] - seen[i]).count() / per;
      shown = std::max(shown, static_cast<double>(j - i + 1) - refilled);
    }
  }
  return shown;
}

void icmp_limit_model::tighten_to(time_point t, double level) {
  tighten();
  while (!loosened_ && halved_burst() < limit_.burst && tokens_before(t) >= level) tighten();
  add_unseen(t, level);
}

std::optional<double> icmp_limit_model::refill_rate_shown(
    std::span<const time_point> drained) const {
  if (drained.size() < 2) return std::nullopt;
  std::vector<time_point> moments(drained.begin(), drained.end());
  std::sort(moments.begin(), moments.end());
  moments.erase(std::unique(moments.begin(), moments.end()), moments.end());
  if (moments.size() > max_moments) {
    std::vector<time_point> spread;
    for (std::size_t i = 0; i < max_moments; ++i) {
      spread.push_back(moments[i * (moments.size() - 1) / (max_moments - 1)]);
    }
    moments = std::move(spread);
  }
  // The errors seen: those counted unseen (add_unseen, consume_unseen) show nothing of the
  // refill.
  const std::vector<time_point> seen = seen_errors();
  // Send times stand for arrival times, each within icmp_reorder_slack: each span is taken as
  // longer by the slack of both its ends, and errors of probes sent within that after the
  // moment may have been drawn before it.
  constexpr auto slack = 2 * icmp_reorder_slack;
  std::vector<double> rates;
  for (time_point s : moments) {
    auto after = std::upper_bound(seen.begin(), seen.end(), s + slack);
    double best = 0;
    for (auto e = after; e != seen.end(); ++e) {
      auto n = static_cast<double>(e - after + 1);
      double span = std::chrono::duration<double>(*e - s + slack).count();
      best = std::max(best, (n - 1) / span);
    }
    rates.push_back(best);
  }
  if (rates.size() < 2) return std::nullopt;
  std::nth_element(rates.begin(), rates.begin() + 1, rates.end(), std::greater<>());
  return rates[1];
}

std::vector<time_point> icmp_limit_model::seen_errors() const {
  std::vector<time_point> seen;
  seen.reserve(errors_seen());
  for (std::size_t i = 0; i < consumed_.size(); ++i) {
    if (!is_unseen(i)) seen.push_back(consumed_[i]);
  }
  return seen;
}

// Unseen entries at the time of seen ones count as their group's last: the tries cancelled
// after an audit's errors came back left with those that drew them, and spent after them.
bool icmp_limit_model::is_unseen(std::size_t i) const {
  const time_point t = consumed_[i];
  const auto [lo, hi] = std::equal_range(unseen_at_.begin(), unseen_at_.end(), t);
  if (lo == hi) return false;
  const auto group_end =
      std::upper_bound(consumed_.begin() + static_cast<std::ptrdiff_t>(i), consumed_.end(), t);
  return static_cast<std::ptrdiff_t>(group_end - consumed_.begin()) -
             static_cast<std::ptrdiff_t>(i) <=
         hi - lo;
}

bool icmp_limit_model::loosen_to(double tokens_per_second) {
  if (tightened_ || !(tokens_per_second > 0)) return false;
  const double now = 1.0 / std::chrono::duration<double>(limit_.refill).count();
  if (tokens_per_second < 1.1 * now) return false;
  limit_.refill =
      std::chrono::ceil<duration>(std::chrono::duration<double>(1.0 / tokens_per_second));
  loosened_ = true;
  after_valid_ = 0;
  return true;
}

bool icmp_limit_model::forget_learned_refill() {
  if (!loosened_) return false;
  limit_.refill = base_refill_;
  loosened_ = false;
  after_valid_ = 0;
  return true;
}

icmp_limit_model::bucket_state icmp_limit_model::initial() const noexcept {
  if (!start_) return {limit_.burst, time_point{}, false};
  return {std::clamp(start_->tokens, 0.0, limit_.burst), start_->at, true};
}

void icmp_limit_model::refill(bucket_state& b, time_point to) const noexcept {
  if (b.started) {
    double gained = std::max(0.0, std::chrono::duration<double>(to - b.last) /
                                      std::chrono::duration<double>(limit_.refill));
    b.tokens = std::min(limit_.burst, b.tokens + gained);
  }
  b.last = std::max(b.last, to);
  b.started = true;
}

// An error (or `weight` of one) drawn at `at` takes its token. One the model did not expect
// means the limit is looser than modelled; the bucket stays at zero rather than going
// negative, so that later estimates stay lower bounds.
void icmp_limit_model::spend(bucket_state& b, time_point at, double weight) const noexcept {
  refill(b, at);
  b.tokens = std::max(0.0, b.tokens - weight);
}

// Walks the errors of probes sent before `t`, with `pending` (time, weight, sorted by time)
// spent as well, calling on_error(tokens held, index in consumed_) for each error (the unseen
// ones too) before it spends its token; returns the tokens held at `t`.
template <class OnError>
double icmp_limit_model::walk(time_point t, OnError on_error,
                              const std::vector<std::pair<time_point, double>>& pending) const {
  bucket_state b = initial();
  std::size_t i = 0;
  std::size_t j = 0;
  for (;;) {
    bool seen = i < consumed_.size() && consumed_[i] < t;
    bool due = j < pending.size() && pending[j].first < t;
    if (!seen && !due) break;
    if (seen && (!due || consumed_[i] <= pending[j].first)) {
      refill(b, consumed_[i]);
      on_error(b.tokens, i);
      spend(b, consumed_[i], 1.0);
      ++i;
    } else {
      spend(b, pending[j].first, pending[j].second);
      ++j;
    }
  }
  refill(b, t);
  return b.tokens;
}

// walk's steps for the errors alone, each state kept.
void icmp_limit_model::extend_after(std::size_t n) const {
  if (after_.size() < consumed_.size()) after_.resize(consumed_.size());
  for (; after_valid_ < n; ++after_valid_) {
    bucket_state b = after_valid_ == 0 ? initial() : after_[after_valid_ - 1];
    spend(b, consumed_[after_valid_], 1.0);
    after_[after_valid_] = b;
  }
}

double icmp_limit_model::tokens_before(time_point t, duration reorder) const {
  auto first = std::lower_bound(consumed_.begin(), consumed_.end(), t);
  auto n = static_cast<std::size_t>(first - consumed_.begin());
  extend_after(n);
  bucket_state b = n == 0 ? initial() : after_[n - 1];
  refill(b, t);
  double tokens = b.tokens;
  if (reorder > duration::zero()) {
    auto last = std::lower_bound(first, consumed_.end(), t + reorder);
    tokens = std::max(0.0, tokens - static_cast<double>(last - first));
  }
  return tokens;
}

double icmp_limit_model::tokens_if_ahead(time_point t, duration overtaken) const {
  auto first = std::lower_bound(consumed_.begin(), consumed_.end(), t - overtaken);
  auto n = static_cast<std::size_t>(first - consumed_.begin());
  extend_after(n);
  bucket_state b = n == 0 ? initial() : after_[n - 1];
  refill(b, t);
  return b.tokens;
}

double icmp_limit_model::tokens_expected(
    time_point t, const std::vector<std::pair<time_point, double>>& pending) const {
  return walk(
      t, [](double, std::size_t) {}, pending);
}

std::size_t icmp_limit_model::errors_while_holding(double level) const {
  std::size_t n = 0;
  walk(time_point::max(),
       [&](double tokens, std::size_t i) {
         if (tokens >= level && !is_unseen(i)) ++n;
       },
       {});
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
