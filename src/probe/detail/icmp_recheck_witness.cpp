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
  std::erase_if(back_, [&](const outcome& o) {
    if (o.id != witness) return false;
    own.push_back(o);
    return true;
  });
  return own;
}

awaitable<icmp_recheck::witness_tries> icmp_recheck::send_witness(std::size_t witness, unsigned n) {
  witness_tries w;
  while (w.sent < n) {
    std::size_t slots = co_await host_.wait_send_slots(n - w.sent);
    if (slots == 0) break;
    for (; slots > 0 && w.sent < n; --slots, ++w.sent) host_.send(witness);
  }
  // Every try of the witness comes back (an answer, its timeout, or a failure to send), and
  // takes a look at least until its timeout; other tries' outcomes wait in back_ meanwhile.
  std::vector<outcome> own = take_outcomes_of(witness);
  while (own.size() < w.sent && host_.live()) {
    co_await host_.wait_back_or(time_point::max());
    std::vector<outcome> more = take_outcomes_of(witness);
    own.insert(own.end(), more.begin(), more.end());
  }
  for (const outcome& o : own) {
    if (o.what == outcome::kind::error || o.what == outcome::kind::answer) ++w.errors;
    if (o.what == outcome::kind::silence && !w.silent_at) w.silent_at = o.sent;
  }
  co_return w;
}

// Tries `witness` (a port that answered with an error) `n` times at once. Errors show the
// target held a token for each; a silence, that it held fewer than modelled (or a loss): the
// model is tightened to agree and every silence judged again. Returns whether every try drew
// an error, nothing when no try could be made.
//
// A single try that goes unanswered is most often a loss (one try in fifty at 1% each way),
// not a model over by more than its margin, and tightening costs the scan a refill or two.
// So it is tried once more while the model holds less than a token beyond what a clean
// silence needs: an error then proves what the audit asks of one (see audit), at the first
// try's moment too, as the model gained since exactly what the target did at most. A model
// over by a whole token or more (errors lost earlier) leaves the target short of a token for
// the second try as well. If the first try's error was lost, its token is gone too, and the
// second try shows whether the target held another.
awaitable<std::optional<bool>> icmp_recheck::try_witness(std::size_t witness, unsigned n) {
  witness_tries w = co_await send_witness(witness, n);
  if (w.silent_at && n == 1 && host_.live() &&
      icmp_.tokens_before(clock::now()) < icmp_clean_tokens + 1) {
    const time_point first_silent = *w.silent_at;
    w = co_await send_witness(witness, 1);
    if (w.silent_at) w.silent_at = first_silent;
  }
  if (w.silent_at) {
    icmp_.tighten_to(*w.silent_at, icmp_clean_tokens);
    judge_again();
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
      if (o.what == outcome::kind::silence && !held_a_token(icmp_, o.sent)) {
        drained_.push_back(o.sent);
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
    if (!co_await try_witness(witness, 1)) co_return;
  }
}

// Silences judged clean since the last error the target sent rest on the model's refill alone,
// which may be faster than the target's: before they become verdicts the witness is tried, and
// a silent witness sends every silence to be judged again. An error proves only that the model
// overestimates the target by less than what it holds, less one: made while the model holds
// more than a clean silence needs, it proves too little (a target refilling at half the
// modelled pace held half a token where the model said two, and answered a single try a second
// later, when the model said three). So the witness is tried once for every whole token the
// model holds beyond one, all at once: every try must draw an error, and the last is made
// where the model holds less than a token beyond what a clean silence needs.
awaitable<void> icmp_recheck::audit(std::size_t witness, time_point deadline) {
  vouched_ = std::max(vouched_, latest_clean_);
  time_point ready = icmp_.refilled_to(icmp_clean_tokens, clock::now());
  if (ready >= deadline) co_return;
  if (ready > clock::now()) co_await host_.sleep_until(ready);
  if (!host_.live()) co_return;
  double held = std::min(icmp_.tokens_before(clock::now()), icmp_.limit().burst);
  auto tries = static_cast<unsigned>(std::max(1.0, std::floor(held - 1.0)));
  co_await try_witness(witness, tries);
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
  auto tries = static_cast<unsigned>(std::max(1.0, std::floor(tokens - 1.0)));
  std::optional<bool> passed = co_await try_witness(*witness_, tries);
  if (passed && *passed) vouched_ = std::max(vouched_, at);
  co_return true;
}

}  // namespace breakwater::probe
