// A model of the target's ICMP error rate limit (Linux: a burst of 6, then one per second per
// destination), to tell which silent probes could have been answered by a hidden ICMP error.
#pragma once

#include "probe/detail/clock.hpp"

#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace breakwater::probe {

// Probes to different ports may take paths whose delays differ by a little (equal-cost routes
// hash on ports) and overtake each other: an error drawn by a probe sent this much later than a
// silent one may have spent the target's token first. Judging silences, the model counts it.
inline constexpr duration icmp_reorder_slack = std::chrono::milliseconds(2);

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
  explicit icmp_limit_model(icmp_limit limit = {}) : limit_(limit), base_refill_(limit.refill) {}

  // The bucket held `b.tokens` at `b.at` (an earlier scan's errors), not a full burst.
  void start_from(icmp_bucket b) {
    start_ = b;
    after_valid_ = 0;
  }
  // Nothing known to have spent the target's limit: no error seen, no earlier scan's.
  bool untouched() const noexcept { return consumed_.empty() && !start_; }

  // The target sent an ICMP error for a probe sent at `probe_sent` (times are the scanner's
  // send times: the one-way delay shifts every event equally).
  void consume(time_point probe_sent);
  // A probe sent at `probe_sent` may have drawn an error that nobody will see (its try was
  // cancelled while out): its token is counted spent, but as an unseen error, which shows
  // nothing of the limit (the refill, the burst, the errors seen).
  void consume_unseen(time_point probe_sent);
  // Tokens the target had for a probe sent at `t`, counting every error seen before `t`.
  // A lower bound only if every error was seen; callers keep a margin for lost ones.
  // `reorder`: errors of probes sent up to that long after `t` count as spent before it too
  // (probes to different ports may take paths of slightly different delay and overtake).
  double tokens_before(time_point t, duration reorder = duration::zero()) const;
  // The same, had the probe overtaken every probe sent up to `overtaken` before it: their
  // errors count as spent after it. The most the model allows the target to have held.
  double tokens_if_ahead(time_point t, duration overtaken) const;
  // Tokens at `t` if, besides the errors seen, the probes sent at the times in `pending`
  // (sorted) drew errors of the given weights (the chance that each does): what the bucket
  // is likely to hold once the answers still on their way are in.
  double tokens_expected(time_point t,
                         const std::vector<std::pair<time_point, double>>& pending) const;
  // Errors seen whose probe found the bucket holding at least `tokens` (by this model): what
  // the target showed while nothing it sent could have been hidden.
  std::size_t errors_while_holding(double tokens) const;
  // When the bucket will hold `tokens` again, if no more errors are sent from `now` on.
  time_point refilled_to(double tokens, time_point now) const;
  std::size_t errors_seen() const noexcept { return consumed_.size() - unseen_at_.size(); }

  // A silence at `t` that the model called clean was not: the port answered a later try with
  // an error. Either that try or its error was lost, or the target held fewer tokens than
  // modelled. Errors never seen are counted just before `t` until the model holds less than
  // `level` there (what a lost error would explain; later moments follow from it).
  void add_unseen(time_point t, double level);
  // Whether an error seen after `t` shows that the target held a token at `t`: one drawn
  // where the model held no more than `held` (what it held at `t`). What the model holds
  // beyond the target grows with time (errors lost on the way add to it, as does a refill
  // slower than modelled), so the target held at `t` at least what it held for that error
  // less what the model held more, a token. It shrinks only where the model is full and the
  // target is not, where the target refills faster than modelled, or where the model was
  // corrected (an unseen error counted, a tightening): with any of these between, nothing is
  // shown. A limit looser than modelled shows itself as an error the model held no token for.
  bool token_shown_at(time_point t, double held) const;
  // The target holds fewer tokens than modelled: halves a refill learned from the target (not
  // below the one assumed or told, and none is learned after), else halves the burst, down to
  // 2 (with the margin of one token a clean silence needs, a burst of 2 is safe for a target's
  // burst of 1) and not below the burst the target has shown (burst_shown), else doubles the
  // refill time. Every moment's tokens are then at most what they were. (A target that sent
  // its burst of 6 at once but refilled a fifth slower than modelled was tightened to a burst
  // of 2 before: the model kept its refill, was full at every clean silence, where the target
  // could not catch up, and its audits passed while four closed ports were called stealth.)
  void tighten();
  // The target held less than `level` at `t` (a try of a closed port went unanswered then):
  // tightens once, and again while the model still holds `level` there and the burst may be
  // halved (not while a learned refill is what a tightening slows); then counts unseen errors
  // as add_unseen does.
  void tighten_to(time_point t, double level);
  const icmp_limit& limit() const noexcept { return limit_; }

  // The refill (tokens a second) that a limit empty at each moment in `drained` must have had
  // to send the errors seen after it: N errors of probes sent after such a moment, up to a
  // later one, need N - 1 tokens refilled by then (less than one was left). Probes sent a few
  // milliseconds after the moment may have overtaken its probe and spent their tokens before
  // it: their errors show no refill, and are not counted. It is a lower
  // bound of the target's refill whatever its burst, where the moments were empty. A moment
  // is one where a port later shown closed (its error came on a later try) went unanswered;
  // it was empty unless that try or its error was lost. So the second highest of the
  // moments' rates is returned, which one such loss cannot raise; nothing with fewer than two
  // moments. At most `max_moments` of them (spread over the sorted moments) are looked at.
  std::optional<double> refill_rate_shown(std::span<const time_point> drained) const;
  // Takes a refill faster than the limit assumed or told, shown by the target (see
  // refill_rate_shown): a target that refills faster than assumed is otherwise held to the
  // assumption's pace. Returns whether the model changed (not after a tightening, nor for a
  // gain of less than a tenth).
  bool loosen_to(double tokens_per_second);
  // Goes back to the refill assumed or told, where one was learned (loosen_to): what showed
  // it proved wrong. Returns whether the model changed.
  bool forget_learned_refill();
  bool loosened() const noexcept { return loosened_; }
  bool tightened() const noexcept { return tightened_; }
  static constexpr std::size_t max_moments = 32;
  // The most tokens the target is shown to have held at once: n errors of tries sent within
  // burst_span need n less the refill meanwhile (the refill assumed or told: a target
  // refilling slower held more). The span is short so that a target refilling faster than
  // that shows little more than its burst (one refilling 16 a second, 0.8 of a token). Errors
  // counted unseen show nothing. Stops at the model's burst: no more is asked of it.
  static constexpr duration burst_span = std::chrono::milliseconds(50);
  double burst_shown() const;

 private:
  // The bucket as a walk over the errors leaves it: `tokens` at `last`, refilling from there
  // once `started` (before the first event a bucket without a known start is full).
  struct bucket_state {
    double tokens = 0;
    time_point last{};
    bool started = false;
  };

  bucket_state initial() const noexcept;
  void refill(bucket_state& b, time_point to) const noexcept;
  void spend(bucket_state& b, time_point at, double weight) const noexcept;
  template <class OnError>
  double walk(time_point t, OnError on_error,
              const std::vector<std::pair<time_point, double>>& pending) const;
  // Makes after_ hold the state after each of the first `n` errors.
  void extend_after(std::size_t n) const;
  std::vector<time_point> seen_errors() const;
  // Whether consumed_[i] is an error counted unseen.
  bool is_unseen(std::size_t i) const;
  double halved_burst() const;

  icmp_limit limit_;
  std::optional<icmp_bucket> start_;
  std::vector<time_point> consumed_;   // sorted; the unseen ones too
  std::vector<time_point> unseen_at_;  // sorted: the unseen ones alone
  bool tightened_ = false;
  // The refill assumed or told, and whether a faster one shown by the target replaces it.
  duration base_refill_;
  bool loosened_ = false;
  // The bucket just after each error spent its token, valid for the first after_valid_
  // errors: tokens_before finds the last error before its moment by binary search and refills
  // from there, so that asking for any moment, in any order, costs a logarithm and not a walk
  // (a scan judges every silence; a target may have sent thousands of errors). An error
  // inserted before the end, or a change of the limit, makes what follows it stale.
  mutable std::vector<bucket_state> after_;
  mutable std::size_t after_valid_ = 0;
};

}  // namespace breakwater::probe
