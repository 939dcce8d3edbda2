// What the re-check's tries brought back: answers, errors, silences, tries never sent, and
// answers that came after their try's silence was reported. Each is queued as it comes
// (on_*) and applied between the re-check's steps (take_outcomes), so that the model and the
// suspects change only where the re-check looks.
#include "probe/detail/icmp_recheck.hpp"

#include <algorithm>

namespace breakwater::probe {

void icmp_recheck::on_answer(std::size_t id, bool icmp_error, time_point sent) {
  back_.push_back({id, icmp_error ? outcome::kind::error : outcome::kind::answer, sent});
}

void icmp_recheck::on_silence(std::size_t id, time_point sent) {
  back_.push_back({id, outcome::kind::silence, sent});
}

void icmp_recheck::on_unsent(std::size_t id) { back_.push_back({id, outcome::kind::unsent, {}}); }

// A suspect's, or the witness's (witness_answered_late); the scan books an error in the model
// itself.
void icmp_recheck::on_late(std::size_t id, bool icmp_error, time_point sent) {
  if (!suspects_.contains(id) && id != witness_) return;
  back_.push_back({id, icmp_error ? outcome::kind::late_error : outcome::kind::late_answer, sent});
}

bool icmp_recheck::is_late(const outcome& o) {
  return o.what == outcome::kind::late_answer || o.what == outcome::kind::late_error;
}

// A witness try taken for silent was answered after all: the target held a token there, and
// the moment was no empty limit. A refill learned from it is learned again without it (it
// would be too fast: the errors after the moment came from a bucket that was not empty).
void icmp_recheck::witness_answered_late(time_point sent) {
  std::erase(witness_silent_, sent);
  if (std::erase(drained_, sent) == 0) return;
  drained_learned_ = std::min(drained_learned_, drained_.size());
  if (!icmp_.forget_learned_refill()) return;
  learn_refill();
  judge_again();
}

void icmp_recheck::take_outcomes() {
  bool judge_late = false;
  for (const outcome& o : back_) {
    if (is_late(o) && o.id == witness_) {
      witness_answered_late(o.sent);
      continue;
    }
    auto it = suspects_.find(o.id);
    if (it == suspects_.end()) continue;
    suspect& s = it->second;
    if (is_late(o)) {
      // Its try came back already, as a silence: the silence goes, the answer stays. A late
      // error is a token the model did not count when it judged the silences since (the scan
      // has booked it now): they are judged again.
      forget_silence(s, o.sent);
      const bool error = o.what == outcome::kind::late_error;
      judge_late = judge_late || error;
      take_answer(o.id, s, error, false, true, o.sent);
      continue;
    }
    // Whether the try was a fresh suspect's when it left (one at a time: a fresh suspect's
    // next try leaves once this one is overdue, and the suspect is quiet by then; or while
    // the bucket spills over, and then both count as fresh).
    const bool fresh = s.fresh_out > 0;
    if (fresh) --s.fresh_out;
    if (s.in_flight > 0) {
      --s.in_flight;
      --in_flight_;
      back_from(o.id);
    }
    switch (o.what) {
      case outcome::kind::answer:
      case outcome::kind::error:
        take_answer(o.id, s, o.what == outcome::kind::error, fresh, false, o.sent);
        break;
      case outcome::kind::silence: take_silence(o.id, s, fresh, o.sent); break;
      case outcome::kind::unsent:
        if (s.answered || s.settled) break;
        ++s.allowance;
        make_ready(o.id, s, true);
        break;
      case outcome::kind::late_answer:
      case outcome::kind::late_error: break;  // taken above
    }
  }
  back_.clear();
  if (judge_late) judge_again();
}

void icmp_recheck::take_answer(std::size_t id, suspect& s, bool error, bool fresh, bool late,
                               time_point sent) {
  const bool first = !s.answered;
  s.answered = true;
  s.settled = false;
  // A late answer's try was counted as the silence it left, if a clean one; the share of
  // closed suspects goes without it rather than count its try twice.
  if (first && !late) {
    (fresh ? fresh_tries_ : low_tries_) += 1;
    (fresh ? fresh_errors_ : low_errors_) += error ? 1 : 0;
  }
  // An error may follow silences for want of tokens; any other answer only for loss.
  if (first && !error) loss_seen();
  if (error) expected_stale_ = true;
  if (first && error) {
    // Its tries unanswered while the model held less than a token, however they were
    // reordered, found the limit empty.
    for (time_point t : s.silent_at) {
      if (found_limit_empty(icmp_, t)) drained_.push_back(t);
    }
  }
  if (first && error && s.clean_silences > 0) contradicted(id);
  // An error shows a token where the model had one: the silences before it stand, where it
  // held no more than they did (see vouches).
  if (error && !late && vouches(sent)) vouched_ = std::max(vouched_, sent);
}

void icmp_recheck::take_silence(std::size_t id, suspect& s, bool fresh, time_point sent) {
  if (!s.answered) s.silent_at.push_back(sent);
  if (s.answered || s.settled) return;
  if (!clean(sent)) {
    // No evidence against a hidden error: the try is given back, to go again once the bucket
    // allows.
    s.settled = enough(s);
    if (!s.settled && !ungated_) {
      unsigned lack = lacking(s);
      s.allowance = lack > s.in_flight ? lack - s.in_flight : 0;
      if (s.in_flight == 0) make_ready(id, s, false);
      note_waiting(id, s);
    }
    return;
  }
  (fresh ? fresh_tries_ : low_tries_) += 1;
  latest_clean_ = std::max(latest_clean_, sent);
  ++s.clean_silences;
  if (enough(s)) {
    s.settled = true;
  } else if (s.in_flight == 0) {
    make_ready(id, s, false);
  }
}

void icmp_recheck::forget_silence(suspect& s, time_point sent) {
  if (auto it = std::find(s.silent_at.begin(), s.silent_at.end(), sent); it != s.silent_at.end()) {
    s.silent_at.erase(it);
  }
  s.clean_silences = static_cast<unsigned>(std::count_if(
      s.silent_at.begin(), s.silent_at.end(), [this](time_point t) { return clean(t); }));
}

void icmp_recheck::contradicted(std::size_t id) {
  // Later errors show that the target held a token at each of its clean silences: its own
  // try or error was lost there, the model stands, and the silences of others stay clean
  // (counting an unseen error would cost every port tried after it a refill).
  const auto& silent = suspects_[id].silent_at;
  if (std::all_of(silent.begin(), silent.end(), [this](time_point t) {
        double held = icmp_.tokens_before(t, icmp_reorder_slack);
        return held < icmp_clean_tokens || icmp_.token_shown_at(t, held);
      })) {
    return;
  }
  ++contradictions_;
  if (contradictions_ > 1) icmp_.tighten();
  for (time_point t : suspects_[id].silent_at) {
    if (clean(t)) icmp_.add_unseen(t, icmp_clean_tokens);
  }
  judge_again();
}

}  // namespace breakwater::probe
