// What a try's outcome tells the scan: how its answer is timed, what it shows of the path's
// loss (and so how many tries silent ports need), what it spends of the target's ICMP limit,
// and the port's verdict.
#include "probe/detail/scan_run.hpp"

#include "probe/detail/silence_evidence.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace breakwater::probe {

// How an answer's time reads once the path's fastest round trip is known. A SYN or SYN-ACK
// is sent again tcp_first_resend after the first (connect()'s kernel resends its SYN; a
// target resends its SYN-ACK when the host's reset never came), so an answer drawn by a
// resend comes at least that long plus a round trip after the try:
// - one sooner can only be the first SYN's: timed, and booked at the try, even when
//   connect() marked it (a path slower than a second then measures itself too);
// - a SYN-ACK later than that may be the target's resend: untimed (Karn's rule), a sign
//   of loss.
// Before any measurement nothing is known, and the prober's reading stands.
scan_run::answer_time scan_run::time_of(const probe_outcome& o) const {
  answer_time t{o.timed, o.resent_after};
  auto fastest = rtt_.fastest();
  if (!fastest) return t;
  const bool first_syn_only = o.rtt < tcp_first_resend + *fastest;
  if (t.resent_after > duration::zero() && first_syn_only) {
    t = {true, duration::zero()};
  } else if (o.why == reason::syn_ack && t.timed && !first_syn_only) {
    t.timed = false;
  }
  return t;
}

void scan_run::on_outcome(std::size_t idx, time_point sent, unsigned try_number,
                          const probe_outcome& o, phase ph) {
  --in_flight_;
  eng_->release();
  wake();
  record& r = records_[idx];
  switch (o.what) {
    case probe_outcome::kind::answered: take_answer(idx, sent, try_number, o, ph, false); return;
    case probe_outcome::kind::silent:
      r.silent_at.push_back(sent);
      if (ph == phase::recheck) {
        recheck_.on_silence(idx, sent);
      } else if (r.tries < tries_ || wants_clean_try(r)) {
        enqueue(idx);
      }
      return;
    case probe_outcome::kind::failed:
      if (o.transient && ++transient_failures_ < 10000) {
        --r.tries;  // not the target's doing: try again after a pause
        if (ph == phase::recheck) {
          recheck_.on_unsent(idx);
        } else {
          enqueue(idx, true);
        }
        backoff_until_ = clock::now() + std::chrono::milliseconds(50);
        return;
      }
      --r.tries;  // it was not sent: the scan's count of ports tried must not hold it
      if (!fatal_) fatal_ = o.error;
      stop();
      return;
    case probe_outcome::kind::cancelled: return;
  }
}

void scan_run::take_answer(std::size_t idx, time_point sent, unsigned try_number,
                           const probe_outcome& o, phase ph, bool late) {
  record& r = records_[idx];
  const answer_time at = time_of(o);
  const bool timed = at.timed;
  if (timed) {
    const bool first_sample = !rtt_.measured();
    rtt_.sample(o.rtt);
    if (first_sample) hold_to_measured_timeout();
  }
  if (ph == phase::main && !r.decided && o.why != reason::icmp_unreachable) {
    ++answered_;
    // An answer that needed a retry shows the path loses packets (a late answer to a
    // retry whose earlier try already answered shows nothing of the kind, nor does an
    // ICMP error on a retry: the target's rate limit explains it, and the ICMP re-check
    // handles exactly that). So does an untimed answer, even on a first try: a bare ACK
    // (a hedged retry drew it: the port's SYN-ACK was lost), an answer after connect()'s
    // own resend, a SYN-ACK the target sent again. And so does one after the try's
    // timeout: the silence it was first taken for is what a loss leaves.
    if (try_number > 1 || !timed || late) ++answered_late_;
    tries_for_loss();
  }
  const time_point drawn_by = sent + at.resent_after;
  if (o.why == reason::icmp_unreachable && late) {
    // When the target drew a late error is not known: the path held the probe or the error.
    // Booked at the try, as an error seen nowhere: its token is spent in the order the
    // target took the tries (the path keeps their order; a probe it held spent the token
    // later, and the model, which counts the refill meanwhile as not there, holds less than
    // the target), and it shows nothing of the limit (an error where the model held no token
    // would show a limit looser than modelled).
    icmp_.consume_unseen(drawn_by);
  } else if (o.why == reason::icmp_unreachable) {
    icmp_.consume(drawn_by);
  }
  if (late) {
    if (rechecking_) recheck_.on_late(idx, o.why == reason::icmp_unreachable, sent);
  } else if (ph == phase::recheck) {
    recheck_.on_answer(idx, o.why == reason::icmp_unreachable, drawn_by);
  }
  if (!r.decided) {
    // An untimed answer is not the try's that took it (a bare ACK is drawn by a later SYN,
    // a SYN-ACK sent again names an earlier one): the verdict counts every try sent.
    decide(idx, o.state(req_.target.is_v6()), o.why, o.icmp,
           timed ? std::optional(o.rtt) : std::nullopt,
           ph == phase::recheck ? recheck::rechecked : recheck::none, timed ? try_number : r.tries,
           o.udp);
  }
}

// Once the path has lost an answer, silent ports get as many tries as keep the scan's expected
// wrong stealth verdicts (answering ports whose every try or answer was lost) under
// max_expected_wrong, from the answering ports seen and the share of them whose first try went
// unanswered: at least one try more than asked, and at most max_tries_on_loss. That share is
// weighed against a typical path's loss, 1% a round trip, worth as much as 20 answers: two
// answers of two that needed a retry say little, twenty of two hundred say a lot. At 1% loss
// each way and 200 answering ports that makes 3 tries; at 5% each way, 5.
void scan_run::tries_for_loss() {
  if (req_.options.tries <= 1 || answered_late_ == 0) return;
  constexpr double typical_miss = 0.01;
  constexpr double typical_weight = 20;
  double miss = (static_cast<double>(answered_late_) + typical_miss * typical_weight) /
                (static_cast<double>(answered_) + typical_weight);
  unsigned least = req_.options.tries + 1;
  tries_ = std::max(tries_, silences_needed(static_cast<double>(answered_), miss, least,
                                            std::max(least, max_tries_on_loss)));
}

void scan_run::decide(std::size_t idx, port_state state, reason why, std::optional<icmp_info> icmp,
                      std::optional<duration> rtt, recheck rc, unsigned tries,
                      std::optional<udp_answer> udp) {
  record& r = records_[idx];
  // One verdict a port: the first stands (a late answer may decide a port the re-check has
  // not heard of yet, and would call stealth).
  if (r.decided) return;
  r.decided = true;
  port_result res{r.port, state,   why,           icmp, rtt, tries != 0 ? tries : r.tries,
                  rc,     r.proto, std::move(udp)};
  verdicts_[idx] = res;
  ++decided_;
  if (req_.on_verdict) req_.on_verdict(res, scan_progress{decided_, records_.size()});
}

}  // namespace breakwater::probe
