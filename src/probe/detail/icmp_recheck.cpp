#include "probe/detail/icmp_recheck.hpp"

#include <algorithm>
#include <cmath>

namespace breakwater::probe {
namespace {

using boost::asio::awaitable;

// Suspects taken into one batch at most. Silences are judged one by one, so a batch's size
// costs nothing in accuracy; but a batch ends only once all its tries are back, and the share
// of closed ports assumed among fresh suspects is at least one in a batch, which bounds the
// tries at risk at once: a batch holds what a high rate sends in a few timeouts, so that tens
// of thousands of suspects (a full range that lost one error to the limit) stream at the rate.
constexpr std::size_t max_batch = 8192;

// The share of a token the errors the tries out are likely to draw may take from the bucket
// beyond the margin. Once the bucket is down to the margin, every try sent before an error
// came back is wasted; with half a token in hand the waste stays small.
constexpr double risk_share = 0.5;

// A suspect that was silent once at a clean moment is closed only if that try or its error
// was lost on the way: its risk is a small part of a fresh suspect's (loss of a few percent).
constexpr double checked_risk_factor = 1.0 / 16;
// What that guess weighs against the low-risk tries' own outcomes, in tries.
constexpr double low_prior_tries = 64;

}  // namespace

bool clean_silence(const icmp_limit_model& icmp, time_point sent) {
  return icmp.tokens_before(sent, icmp_reorder_slack) >= icmp_clean_tokens;
}

bool held_a_token(const icmp_limit_model& icmp, time_point sent) {
  return icmp.tokens_before(sent, icmp_reorder_slack) >= 1.0;
}

bool found_limit_empty(const icmp_limit_model& icmp, time_point sent) {
  return icmp.tokens_if_ahead(sent, icmp_reorder_slack) < 1.0;
}

bool icmp_recheck::clean(time_point sent) const { return clean_silence(icmp_, sent); }

double icmp_recheck::closed_share() const {
  return (prior_closed_ + static_cast<double>(fresh_errors_)) /
         (prior_tries_ + static_cast<double>(fresh_tries_));
}

double icmp_recheck::risk_of(const suspect& s) const {
  double p = closed_share();
  if (s.clean_silences == 0 && !s.quiet) return p;
  // Low-risk suspects learn from their own tries too: a quiet silence is no proof (an error
  // before it may have been lost unseen, and the target then held a token less than modelled).
  return (p * checked_risk_factor * low_prior_tries + static_cast<double>(low_errors_)) /
         (low_prior_tries + static_cast<double>(low_tries_));
}

void icmp_recheck::make_ready(std::size_t id, suspect& s, bool front) {
  if (s.ready || s.allowance == 0 || s.answered || s.settled || !s.in_batch) return;
  s.ready = true;
  auto& ready = s.clean_silences == 0 && !s.quiet ? ready_fresh_ : ready_checked_;
  if (front) {
    ready.push_front(id);
  } else {
    ready.push_back(id);
  }
}

unsigned needed_clean_for(double hidden, double loss, unsigned needed, double max_wrong) {
  return silences_needed(hidden, loss, 1, needed, max_wrong);
}

bool icmp_recheck::enough(const suspect& s) const {
  return s.silent_at.size() >= needed_ && s.clean_silences >= needed_clean_;
}

unsigned icmp_recheck::lacking(const suspect& s) const {
  return std::max(needed_ - std::min<unsigned>(needed_, static_cast<unsigned>(s.silent_at.size())),
                  needed_clean_ - std::min(needed_clean_, s.clean_silences));
}

// Ports whose silences were enough already are settled (stealth when the re-check ends); the
// others are the suspects: the fresh ones first, then the rest, each in the order given. Also
// sets the prior share of closed ports among the fresh suspects, and the clean silences needed.
std::deque<std::size_t> icmp_recheck::triage(std::vector<undecided_port> ports,
                                             const recheck_options& o) {
  std::size_t clean_seen = 0, fresh = 0;
  for (undecided_port& p : ports) {
    // A target that sent no ICMP error, to this scan or lately to another, is hiding none.
    if (icmp_.untouched() || o.budget <= duration::zero()) {
      host_.stealth(p.id, recheck::none);
      continue;
    }
    unsigned c = 0;
    bool quiet = false;
    for (time_point t : p.silent_at) {
      c += clean(t) ? 1u : 0u;
      // With a token left (but none to spare) a closed port would have answered unless an
      // error was lost: not clean, but unlikely to hide one, which is what pacing needs.
      quiet = quiet || held_a_token(icmp_, t);
    }
    clean_seen += c;
    fresh += c == 0 && !quiet ? 1 : 0;
    order_.push_back(p.id);
    suspect& s = suspects_[p.id];
    s.silent_at.assign(p.silent_at.begin(), p.silent_at.end());
    s.clean_silences = c;
    s.quiet = quiet;
  }
  // Where the model held tokens to spare, every closed port showed: errors there against the
  // clean silences give the share of closed ports among the ports that did not answer
  // otherwise. Where it did not, the errors seen are fewer than that share of the tries sent;
  // the difference is what is hidden among the fresh suspects.
  // Errors that found the model's bucket empty: the target's limit is looser than modelled,
  // and the first batch is optimistic (see run_batch).
  optimistic_ = icmp_.errors_seen() > icmp_.errors_while_holding(1.0) + 1;
  auto errors_clean = static_cast<double>(icmp_.errors_while_holding(icmp_clean_tokens));
  auto errors_other = static_cast<double>(icmp_.errors_seen()) - errors_clean;
  double share = (errors_clean + 1) / (errors_clean + static_cast<double>(clean_seen) + 2);
  double hidden = share * (static_cast<double>(fresh) + errors_other) - errors_other;
  double p = std::clamp(hidden / std::max(1.0, static_cast<double>(fresh)), 1.0 / max_batch, 1.0);
  // Worth one closed port of evidence: the re-check's own tries soon outweigh it.
  prior_closed_ = 0.5;
  prior_tries_ = 0.5 / p;
  // The estimate is rough where few errors showed (one run of the bench estimated one hidden
  // port where 11 were): no fewer are assumed hidden than the errors the target has shown.
  hidden_ = std::max({1.0, hidden, static_cast<double>(icmp_.errors_seen())});
  loss_ = std::clamp(o.loss, 0.0, 1.0);
  needed_clean_ = needed_clean_for(hidden_, loss_, needed_);

  // Fresh suspects first: their tries go out at the pace the target's tokens allow, and the
  // suspects with a clean or quiet silence already, which cost next to none, fill the gaps.
  std::deque<std::size_t> queue;
  std::vector<std::size_t> checked;
  for (std::size_t id : order_) {
    suspect& s = suspects_[id];
    if (enough(s)) {
      s.settled = s.triaged = true;
    } else if (s.clean_silences == 0 && !s.quiet) {
      queue.push_back(id);
    } else {
      checked.push_back(id);
    }
  }
  queue.insert(queue.end(), checked.begin(), checked.end());
  return queue;
}

// A suspect answered after silences: the path loses packets. Like the main pass, every port
// then needs one try more before it is called stealth; the settled ones go back in the queue.
void icmp_recheck::loss_seen() {
  if (needed_ >= needed_on_loss_) return;
  needed_ = needed_on_loss_;
  needed_clean_ = needed_clean_for(hidden_, loss_, needed_);
  for (std::size_t id : order_) {
    suspect& s = suspects_[id];
    if (!s.settled || enough(s)) continue;
    s.settled = s.triaged = false;
    if (!s.in_batch) queue_->push_back(id);  // a batch's own go back when it ends
  }
}

// What the bucket is likely to hold once the tries at risk have drawn the errors they are
// likely to draw (at their send times, refilling since). The walk over every try at risk is
// made once a millisecond tick, and again when an error came or the model changed; walking for
// every try sent made the risk bookkeeping a tenth of the server's CPU. Between walks, the
// tries sent since are taken off at once, those back since are still counted (never more than
// the walk would give), and the refill since the walk is added up to the burst: every try the
// walk counted was sent before it, so after it the bucket only refills. Without that refill a
// target refilling a token a millisecond was paced a token a tick late (a third slower).
double icmp_recheck::expected_tokens(time_point now) {
  time_point tick = next_tick(now);
  if (expected_stale_ || tick != expected_tick_) {
    std::vector<std::pair<time_point, double>> pending;
    pending.reserve(tries_at_risk_);
    for (const risky& r : at_risk_) {
      if (r.live) pending.emplace_back(r.sent, r.risk);
    }
    expected_at_ = now + duration(1);
    expected_base_ = icmp_.tokens_expected(expected_at_, pending);
    expected_tick_ = tick;
    risk_since_expected_ = 0;
    expected_stale_ = false;
  }
  double refilled = 0;
  if (now + duration(1) > expected_at_) {
    refilled = std::chrono::duration<double>(now + duration(1) - expected_at_) /
               std::chrono::duration<double>(icmp_.limit().refill);
  }
  return std::min(expected_base_ + refilled, icmp_.limit().burst) - risk_since_expected_;
}

time_point icmp_recheck::expire_risk(time_point now) {
  const duration due = host_.answer_due();
  while (!at_risk_.empty() && at_risk_.front().sent + due <= now) {
    risky r = at_risk_.front();
    at_risk_.pop_front();
    if (!r.live) continue;
    drop_risk(r);
    // Its error would have come by now: the suspect is all but surely silent there, and may
    // have its next try without waiting for this one's timeout.
    suspect& s = suspects_[r.id];
    s.quiet = true;
    make_ready(r.id, s, false);
  }
  return at_risk_.empty() ? time_point::max() : at_risk_.front().sent + due;
}

void icmp_recheck::drop_risk(risky& r) {
  r.live = false;
  risk_in_flight_ = std::max(0.0, risk_in_flight_ - r.risk);
  --tries_at_risk_;
}

// The outcome of one of `id`'s tries: its oldest try still at risk stops being so (answers
// may come out of order; the risk is only the pace's concern).
void icmp_recheck::back_from(std::size_t id) {
  for (risky& r : at_risk_) {
    if (r.live && r.id == id) {
      drop_risk(r);
      return;
    }
  }
}

// Counts every suspect's clean silences anew. A settled suspect short of them now is a
// suspect again (back in the queue unless its batch still holds it).
void icmp_recheck::judge_again() {
  expected_stale_ = true;  // the model changed
  for (std::size_t id : order_) {
    suspect& s = suspects_[id];
    if (s.answered) continue;
    unsigned c = 0;
    time_point latest = time_point::min();
    for (time_point t : s.silent_at) {
      if (!clean(t)) continue;
      ++c;
      latest = std::max(latest, t);
    }
    // Silences clean only now rest on the model as it is now: the audit is due for them.
    if (c > s.clean_silences) latest_clean_ = std::max(latest_clean_, latest);
    s.clean_silences = c;
    if (!s.settled) {
      s.settled = enough(s);
      continue;
    }
    if (enough(s)) continue;
    s.settled = s.triaged = false;
    if (!s.in_batch && queue_ != nullptr) queue_->push_back(id);
  }
}

void icmp_recheck::learn_refill() {
  std::optional<double> rate = icmp_.refill_rate_shown(drained_);
  if (!rate || !icmp_.loosen_to(*rate)) return;
  // What errors vouched for, they vouched for under the model before.
  vouched_ = time_point::min();
  witness_was_empty();
  judge_again();
}

// Nothing is ready, and the bucket (less the errors the tries out are likely to draw) will
// fill up and spill over before a try out falls overdue: an error drawn now costs a token that
// would be lost anyway. So that many suspects waiting for a try out may have their next one
// now rather than once that try is overdue; at a refill of a thousand a second this saves the
// last round a timeout.
void icmp_recheck::overflowing() {
  const double refilled = std::chrono::duration<double>(host_.answer_due()) /
                          std::chrono::duration<double>(icmp_.limit().refill);
  double spare = std::floor(expected_tokens(clock::now()) + refilled - icmp_.limit().burst);
  for (; spare >= 1 && !waiting_.empty(); waiting_.pop_front()) {
    std::size_t id = waiting_.front();
    suspect& s = suspects_[id];
    if (!is_waiting(s)) continue;
    s.ready = true;
    ready_again_.push_back(id);
    spare -= 1;
  }
}

void icmp_recheck::note_waiting(std::size_t id, const suspect& s) {
  if (is_waiting(s)) waiting_.push_back(id);
}

bool icmp_recheck::is_waiting(const suspect& s) {
  return !s.ready && s.in_flight > 0 && s.allowance > 0 && !s.answered && !s.settled;
}

// While the bucket holds a clean silence's tokens and no suspect is ready: suspects with a try
// out may go again if the bucket spills over, else the audit may be made early. Returns
// whether the audit was (outcomes came back meanwhile).
awaitable<bool> icmp_recheck::when_idle(double tokens) {
  if (!ready_checked_.empty() || !ready_fresh_.empty() || !ready_again_.empty()) co_return false;
  overflowing();
  if (!ready_again_.empty()) co_return false;
  co_return co_await early_audit(tokens);
}

// Streams the tries of up to `size` suspects from the front of the queue while the model
// holds more than the margin, no more at risk at once than the tokens left can pay for;
// returns the suspects still lacking clean silences to the back of the queue.
awaitable<void> icmp_recheck::run_batch(std::deque<std::size_t>& queue, time_point deadline,
                                        std::size_t size) {
  std::vector<std::size_t> batch;
  ready_fresh_.clear();
  ready_checked_.clear();
  ready_again_.clear();
  waiting_.clear();
  while (batch.size() < size && !queue.empty()) {
    std::size_t id = queue.front();
    queue.pop_front();
    suspect& s = suspects_[id];
    if (s.answered || s.settled || s.in_batch) continue;
    // One try each when ungated: the model, not the batch, says when another may go.
    s.allowance = ungated_ ? std::min(1u, lacking(s)) : lacking(s);
    s.in_batch = true;
    s.ready = false;
    batch.push_back(id);
    make_ready(id, s, false);
  }
  audited_early_ = false;
  const time_point began = clock::now();
  const double tokens_at_start = icmp_.tokens_before(began);
  const std::size_t errors_before = icmp_.errors_seen();
  while (host_.live()) {
    take_outcomes();
    // An ungated batch has done its work once the refill it showed is the model's: the rest
    // of it goes at the model's pace.
    if (ungated_ && drained_.size() > drained_learned_) {
      drained_learned_ = drained_.size();
      learn_refill();
      if (icmp_.loosened()) ungated_ = optimistic_ = false;
    }
    time_point now = clock::now();
    time_point next_due = expire_risk(now);
    double tokens = icmp_.tokens_before(now);
    bool open = now < deadline && (ungated_ || tokens >= icmp_clean_tokens);
    if (open && co_await when_idle(tokens)) continue;
    std::deque<std::size_t>* from = !ready_checked_.empty() ? &ready_checked_
                                    : !ready_fresh_.empty() ? &ready_fresh_
                                    : !ready_again_.empty() ? &ready_again_
                                                            : nullptr;
    time_point until = open ? icmp_.refilled_to(std::floor(tokens) + 1, now) : deadline;
    if (open && from != nullptr) {
      double risk = risk_of(suspects_[from->front()]);
      // Errors the batch may draw before the bucket is down to the margin: the last of them
      // still finds a token, and every try sent before it a spare one. Up to that many tries at
      // risk are safe whatever they draw.
      double payable = std::floor(tokens - icmp_clean_tokens) + 1;
      // A target that showed more errors than the model allows may refill faster: an
      // optimistic batch (no bound on the tries at risk) lets its errors show by how much.
      if (optimistic_ || ungated_) payable = static_cast<double>(max_batch);
      // Beyond that, a try goes when the bucket, less the errors the tries out are likely to
      // draw (at their send times, refilling since), keeps a share of a token above the margin.
      double deficit = 0;
      if (static_cast<double>(tries_at_risk_) >= payable) {
        deficit = icmp_clean_tokens - risk_share - expected_tokens(now) + risk;
      }
      if (deficit <= 0) {
        if (co_await host_.wait_send_slots(1) == 0) break;
        take_outcomes();  // what came back while waiting for the slot may close the bucket
        if ((!ungated_ && icmp_.tokens_before(clock::now()) < icmp_clean_tokens) || from->empty()) {
          continue;
        }
        std::size_t id = from->front();
        from->pop_front();
        suspect& s = suspects_[id];
        s.ready = false;
        if (s.answered || s.settled || s.allowance == 0) continue;
        double r = risk_of(s);
        s.fresh_out += s.clean_silences == 0 && !s.quiet ? 1 : 0;
        ++s.in_flight;
        --s.allowance;
        ++in_flight_;
        ++tries_at_risk_;
        risk_in_flight_ += r;
        risk_since_expected_ += r;
        at_risk_.push_back({id, clock::now(), r, true});
        host_.send(id);
        // A suspect unlikely to be closed may have its next try in the next round already,
        // as it would hardly draw two errors; after every other ready one, so that the fresh
        // suspects, which the target's tokens wait for, are not held back.
        if ((s.clean_silences > 0 || s.quiet) && s.allowance > 0 && !s.ready) {
          s.ready = true;
          ready_again_.push_back(id);
        }
        note_waiting(id, s);
        continue;
      }
      // The bucket gains what is missing by then, if nothing comes back first.
      until = std::min(until, icmp_.refilled_to(tokens + deficit, now));
    }
    if (in_flight_ == 0 && (!open || from == nullptr)) break;
    // Wait for a try to come back, for one's answer to fall overdue, or for the bucket to gain
    // what the next try needs.
    until = std::min(until, next_due);
    if (until <= now) until = now + std::chrono::milliseconds(1);
    co_await host_.wait_back_or(until);
  }
  co_await host_.wait_all_back();
  take_outcomes();
  at_risk_.clear();
  // More errors than the model could pay for (a token to spare for one it counted early) show
  // a limit looser than modelled (IPv6's, a shared global one): the next batch is optimistic
  // too, to find as many closed suspects as the target will show. Silences are still judged
  // by the model alone. A refill the errors showed is the model's first (learn_refill), and
  // counts as paid.
  learn_refill();
  auto errors = static_cast<double>(icmp_.errors_seen() - errors_before);
  double paid = tokens_at_start + std::chrono::duration<double>(clock::now() - began) /
                                      std::chrono::duration<double>(icmp_.limit().refill);
  optimistic_ = errors > paid + 1;
  for (std::size_t id : batch) {
    suspect& s = suspects_[id];
    s.in_batch = false;
    s.ready = false;
    if (!s.answered && !s.settled) queue.push_back(id);
  }
}

awaitable<void> icmp_recheck::run(std::vector<undecided_port> ports, recheck_options o) {
  needed_ = o.needed;
  needed_on_loss_ = std::max(o.needed, o.needed_on_loss);
  std::deque<std::size_t> queue = triage(std::move(ports), o);
  queue_ = &queue;
  const time_point deadline = clock::now() + o.budget;
  witness_ = o.witness;
  drained_ = std::move(o.drained);
  learn_refill();
  if (o.witness && !order_.empty()) {
    if (!optimistic_) co_await explore_refill(*o.witness, deadline);
    co_await confirm_burst(*o.witness, deadline);
  }
  // A target that sent more errors than the model allows may refill faster than modelled (or
  // hold a larger burst): by how much, its errors show once the suspects they hid are found.
  // So a first optimistic batch begins at once, not when the model has refilled (2 s at
  // Linux's pace, in which the target may have refilled hundreds of tokens): `ungated_tries`
  // suspects, one try each whatever the model holds, their silences judged by the model as
  // any; again while they draw errors and the refill is not learned yet (a few closed ports
  // among many suspects show little each time), up to `max_ungated_rounds` times. Errors are
  // never wasted (each closed port must draw one); a silence is, where the target shows no
  // faster refill (a larger burst, no limit at all), and then it stops after one round.
  if (optimistic_) {
    for (int round = 0;
         round < max_ungated_rounds && !queue.empty() && host_.live() && !icmp_.loosened();
         ++round) {
      const std::size_t errors = icmp_.errors_seen();
      ungated_ = true;
      co_await run_batch(queue, deadline, ungated_tries);
      ungated_ = false;
      if (icmp_.errors_seen() == errors) break;  // nothing shown beyond the model: no faster refill
    }
    // Nothing learned, the looser limit is still unexplained: the next batch is optimistic too.
    optimistic_ = optimistic_ || !icmp_.loosened();
  }
  while (host_.live()) {
    time_point now = clock::now();
    if (now >= deadline) break;
    take_outcomes();  // late answers that came meanwhile (one may put a suspect back)
    if (queue.empty()) {
      if (!o.witness || !audit_due()) break;
      if (!co_await audit(*o.witness, deadline)) break;
      continue;
    }
    time_point ready = icmp_.refilled_to(icmp_clean_tokens, now);
    if (ready > now) {
      if (ready >= deadline) break;
      co_await host_.sleep_until(ready);
      continue;
    }
    co_await run_batch(queue, deadline, max_batch);
  }
  // Late answers that came during the last wait: a suspect answered is no stealth, and one whose
  // silences they made unclean is unresolved.
  take_outcomes();
  queue_ = nullptr;
  if (!host_.live()) co_return;
  for (std::size_t id : order_) {
    const suspect& s = suspects_[id];
    if (s.answered) continue;
    host_.stealth(id, s.triaged                ? recheck::none
                      : s.settled && proven(s) ? recheck::rechecked
                                               : recheck::unresolved);
  }
}

// Where the budget ran out before an audit passed, the clean silences since the last vouch are
// the model's word alone: a suspect that needs them is unresolved, not rechecked. (Without a
// witness no audit can be made, and the model's word is all there is.)
bool icmp_recheck::proven(const suspect& s) const {
  if (!witness_ || !audit_due()) return true;
  auto vouched = static_cast<unsigned>(
      std::count_if(s.silent_at.begin(), s.silent_at.end(),
                    [this](time_point t) { return t <= vouched_ && clean(t); }));
  return vouched >= needed_clean_;
}

}  // namespace breakwater::probe
