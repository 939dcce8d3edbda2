// The re-check's witness: a port that answered with an ICMP error from the target, tried
// again to test the model of the target's limit (the burst confirmed before the re-check,
// the audit before clean silences become verdicts). See icmp_recheck.hpp.
#include "probe/detail/icmp_recheck.hpp"

#include <algorithm>
#include <cmath>

namespace breakwater::probe {

using boost::asio::awaitable;

std::vector<icmp_recheck::outcome> icmp_recheck::take_outcomes_of(std::size_t witness) {
  std::vector<outcome> own;
  std::vector<time_point> late;
  std::erase_if(back_, [&](const outcome& o) {
    if (o.id != witness) return false;
    if (is_late(o)) {
      late.push_back(o.sent);  // no try back: a moment that was not empty
    } else {
      own.push_back(o);
    }
    return true;
  });
  for (time_point t : late) witness_answered_late(t);
  return own;
}

awaitable<icmp_recheck::witness_tries> icmp_recheck::send_witness(std::size_t witness, unsigned n,
                                                                  unsigned enough) {
  witness_tries w;
  while (w.sent < n) {
    std::size_t slots = co_await host_.wait_send_slots(n - w.sent);
    if (slots == 0) break;
    for (; slots > 0 && w.sent < n; --slots, ++w.sent) host_.send(witness);
  }
  // Every try of the witness comes back (an answer, its timeout, or a failure to send), and
  // takes a look at least until its timeout; other tries' outcomes wait in back_ meanwhile.
  unsigned back = 0;
  auto take = [&] {
    for (const outcome& o : take_outcomes_of(witness)) {
      ++back;
      if (o.what == outcome::kind::error || o.what == outcome::kind::answer) ++w.errors;
      if (o.what == outcome::kind::silence && !w.silent_at) w.silent_at = o.sent;
    }
  };
  take();
  while (back < w.sent && (enough == 0 || w.errors < enough) && host_.live()) {
    co_await host_.wait_back_or(time_point::max());
    take();
  }
  if (back < w.sent && host_.live()) {
    host_.cancel_tries_of(witness);
    expected_stale_ = true;  // the model counts the tries cancelled as errors drawn
  }
  co_return w;
}

// The target held less than a token where the witness went unanswered at `silent_at`, and the
// model said it held a clean silence's: the model is tightened to agree, and every silence is
// judged again.
void icmp_recheck::model_over(time_point silent_at) {
  icmp_.tighten_to(silent_at, icmp_clean_tokens);
  judge_again();
}

// Tries `witness` (a port that answered with an error) once. An error shows the target held a
// token; a silence, that it held fewer than modelled (or a loss): see model_over. Returns
// whether the try drew an error, nothing when no try could be made.
//
// A single try that goes unanswered is most often a loss (one try in fifty at 1% each way),
// not a model over by more than its margin, and tightening costs the scan a refill or two.
// So it is tried once more while the model holds less than a token beyond what a clean
// silence needs: an error then shows the target held a token at the first try's moment too,
// as the model gained since at most what the target did. A model over by a whole token or
// more (errors lost earlier) leaves the target short of a token for the second try as well.
// If the first try's error was lost, its token is gone too, and the second try shows whether
// the target held another.
awaitable<std::optional<bool>> icmp_recheck::try_witness(std::size_t witness) {
  witness_tries w = co_await send_witness(witness, 1);
  if (w.silent_at && host_.live() && icmp_.tokens_before(clock::now()) < icmp_clean_tokens + 1) {
    const time_point first_silent = *w.silent_at;
    w = co_await send_witness(witness, 1);
    if (w.silent_at) w.silent_at = first_silent;
  }
  if (w.silent_at) {
    model_over(*w.silent_at);
    co_return false;
  }
  if (w.sent == 0 || w.errors < w.sent) co_return std::nullopt;
  co_return true;
}

// The model's refill is assumed (Linux's one a second) unless the scan was told it, and a
// target that refills faster shows it only when asked for more errors than the model allows:
// IPv6's limits, for one, refill 4 to 16 times as fast (Linux scales them by the route's
// prefix). Asking costs nothing while the model holds less than a token, if the model is
// right: the target has none to spend. So while it holds less than `below`, the witness is
// tried every `every`, without waiting for the answers: each error is a token the model did
// not expect, each silence a moment the limit was empty, and the two show the refill
// (learn_refill). Stops once the model holds that much, learned refill and all, or after
// what the model takes to refill a whole token. Not made after a main pass that drew more
// errors than the model allows: that target may hold a larger burst than modelled and still
// have tokens while the model holds none (the optimistic batch then shows its refill).
awaitable<void> icmp_recheck::explore_refill(std::size_t witness, time_point deadline) {
  constexpr double below = 0.9;
  constexpr duration every = std::chrono::milliseconds(10);
  const time_point stop = std::min(deadline, clock::now() + icmp_.limit().refill);
  std::size_t sent = 0;
  auto own_back = [&] {
    for (const outcome& o : take_outcomes_of(witness)) {
      if (o.what == outcome::kind::silence) {
        if (found_limit_empty(icmp_, o.sent)) drained_.push_back(o.sent);
        witness_silent_.push_back(o.sent);
        witness_was_empty();
      }
      --sent;
    }
  };
  while (host_.live() && clock::now() < stop && icmp_.tokens_before(clock::now()) < below) {
    if (co_await host_.wait_send_slots(1) == 0) break;
    host_.send(witness);
    ++sent;
    co_await host_.sleep_until(clock::now() + every);
    own_back();
    learn_refill();
  }
  while (sent > 0 && host_.live()) {
    co_await host_.wait_back_or(time_point::max());
    own_back();
  }
  learn_refill();
}

// The witness is closed: where it went unanswered, the target held no token (or the try was
// lost). Where the model held one there, it is over the target by a token or more, an error
// lost unseen or its refill too fast for that stretch (the refill learned is the fastest the
// errors show over some span, not over every one); an error is counted unseen there until it
// holds less. Before, a target refilling 4 a second, learned as 3.4, held none where the model
// said 1.4 to 1.5 after the witness had drawn every token as it came; a closed port tried
// where the model said 2 then went unanswered and was called stealth. A lost try costs a
// token of the model's: slower, never wrong.
void icmp_recheck::witness_was_empty() {
  for (time_point t : witness_silent_) {
    if (held_a_token(icmp_, t)) icmp_.add_unseen(t, 1.0);
  }
}

// The model assumes a burst (Linux's 6) that the target may not have. A target with fewer
// closed ports than that shows fewer errors, and the tokens the model gives it beyond them are
// unproven: a silence judged clean with them may hide an error. So while the target has shown
// fewer errors than the burst and the model holds a spare token, the witness is tried again,
// one try at a time.
awaitable<void> icmp_recheck::confirm_burst(std::size_t witness, time_point deadline) {
  auto unproven = [this] {
    return static_cast<double>(icmp_.errors_seen()) < icmp_.limit().burst &&
           icmp_.tokens_before(clock::now()) >= icmp_clean_tokens;
  };
  while (host_.live() && clock::now() < deadline && unproven()) {
    if (!co_await try_witness(witness)) co_return;
  }
}

// Silences judged clean that no error has vouched for yet rest on the model alone, whose refill
// may be faster than the target's: before they become verdicts the witness is tried. What the
// model holds beyond the target grows with time (see icmp_limit_model::token_shown_at), so an
// error drawn where the model held h shows that it held at most h - 1 beyond the target then and
// before; a clean silence found the target holding a token if that is at most one. The
// witness's tries go at once, where the model holds `held`: the k-th error is drawn where it
// holds held - k + 1 (the errors before it counted). So ceil(held - 1) errors pass the audit
// (vouch_level_slack aside), and one try more is made for a loss: a lost try costs no second
// audit. (A single error at any level, as the audit asked for before, let a target refilling a
// fifth slower than modelled through: 13 s of drift is 2.6 of its tokens, an error where the
// model held 2.7 showed nothing for the silences where it held 2 to 2.7, and four closed ports
// were called stealth.)
//
// Two errors fewer than that, or none: the model holds more than the target beyond the margin;
// it is tightened to agree, every silence is judged again, and the audit is due again (as
// before: the old audit failed there too). One fewer: the model may hold a whole token beyond
// the target (an error lost earlier, which the margin is there for); the audit is due again,
// and is made where the model holds a clean silence's tokens, where one error decides.
// Returns whether it passed, nothing when no try could be made.
//
// An audit returns once the errors that pass it are back. The try left out, most often where
// the target had no token for it, would only add an error: waiting out its timeout cost each
// scan of a limited target 0.1-0.2 s. It is cancelled, and counted as an unseen error.
awaitable<std::optional<bool>> icmp_recheck::audit_witness(std::size_t witness, double held) {
  const double owed = std::max(0.0, std::ceil(held - 1.0 - vouch_level_slack));
  const auto tries = static_cast<unsigned>(owed) + 1;
  const time_point at = clock::now();
  // The errors that pass both tests below: their own tries were sent at `at` or later, so they
  // do not change level_before(at), and errors of other tries only lower it. With that many
  // back the audit has passed whatever the rest bring.
  const double to_pass = std::ceil(level_before(at) + 1 - icmp_clean_tokens - vouch_level_slack);
  const auto enough = static_cast<unsigned>(std::max({1.0, owed - 1, to_pass}));
  witness_tries w = co_await send_witness(witness, tries, enough);
  if (w.sent < tries) co_return std::nullopt;
  if (static_cast<double>(w.errors) < std::max(1.0, owed - 1)) {
    // Tries that failed to leave, or a scan stopped, leave nothing to judge.
    if (!w.silent_at || !host_.live()) co_return std::nullopt;
    model_over(*w.silent_at);
    co_return false;
  }
  // What the model held before them, counting every error seen by now (a batch's last tries'
  // too, but those sent within the reorder slack before: see level_before): the errors show
  // that it held at most that less their number beyond the target.
  co_return level_before(at) - static_cast<double>(w.errors) + 1 <=
      icmp_clean_tokens + vouch_level_slack;
}

// The model's tokens for a try sent at `sent`: errors of tries sent a little earlier may have
// been drawn after it (see icmp_reorder_slack), so they are not counted. (Nor is the refill in
// that slack: 0.004 tokens at Linux's pace. Where a target refills a token in a few
// milliseconds, no send time says to a token what the model held.)
double icmp_recheck::level_before(time_point sent) const {
  return icmp_.tokens_before(sent - icmp_reorder_slack);
}

bool icmp_recheck::vouches(time_point sent) const {
  return level_before(sent) <= icmp_clean_tokens + vouch_level_slack;
}

// The audit once the queue is empty, as soon as the model holds a clean silence's tokens: the
// fewest tries, and one error there vouches for every clean silence.
awaitable<bool> icmp_recheck::audit(std::size_t witness, time_point deadline) {
  const time_point covered = latest_clean_;
  time_point ready = icmp_.refilled_to(icmp_clean_tokens, clock::now());
  if (ready >= deadline) co_return false;
  if (ready > clock::now()) co_await host_.sleep_until(ready);
  if (!host_.live()) co_return false;
  double held = std::min(icmp_.tokens_before(clock::now()), icmp_.limit().burst);
  std::optional<bool> passed = co_await audit_witness(witness, held);
  if (passed && *passed) vouched_ = std::max(vouched_, covered);
  co_return true;
}

// A batch's last tries wait out their timeouts, and the audit after them would add its own
// round trip. But once every try of the batch has been sent and none is still at risk of
// drawing an error (each is past the time its error would have come back), the audit may be
// made at once: it proves the model at the moment it is sent, which covers every try sent
// before it, whenever that try's silence is judged. Its tries are those of audit, and a
// silent witness counts as it does there.
awaitable<bool> icmp_recheck::early_audit(double tokens) {
  if (!witness_ || audited_early_ || !audit_due() || tries_at_risk_ > 0 || in_flight_ == 0 ||
      tokens < icmp_clean_tokens || !queue_->empty()) {
    co_return false;
  }
  // Nothing is ready (see when_idle); a suspect waiting for its try to come back has one to go.
  while (!waiting_.empty() && !is_waiting(suspects_[waiting_.front()])) waiting_.pop_front();
  if (!waiting_.empty()) co_return false;
  audited_early_ = true;
  const time_point at = clock::now();
  std::optional<bool> passed =
      co_await audit_witness(*witness_, std::min(tokens, icmp_.limit().burst));
  if (passed && *passed) vouched_ = std::max(vouched_, at);
  co_return true;
}

}  // namespace breakwater::probe
