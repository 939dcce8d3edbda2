// The ICMP re-check: settles the ports a scan's main pass left silent while the target's ICMP
// error limit may have hidden their errors. Each silent try is judged on its own: it is clean
// when the modelled bucket still held a spare token (the margin) after every error drawn by
// the tries sent before it, so a closed port would have answered it. A silence, clean or not,
// is evidence against a lost answer (resets and SYN-ACKs are not rate-limited); only a clean
// one is evidence against a hidden error. So a suspect is stealth after `needed` silences of
// which `needed_clean` are clean: the fewest that keep the expected wrong verdicts of the scan
// from hidden errors under one in a hundred, given the errors likely hidden among the suspects
// and the loss the main pass measured (see needed_clean_for). One that answers (an error
// included) is decided by the scan. A suspect that answers otherwise (a reset, a SYN-ACK, a
// UDP reply) shows the path loses packets, and then every port needs one silence more, as in
// the main pass; so stealth verdicts are given only when the re-check ends.
//
// The target's tokens are the scarce thing: every closed suspect costs one to find, and once
// the bucket is down to the margin every later try is wasted. So tries stream out while the
// model holds tokens, no more of them at risk at once than the tokens left can pay for: a
// suspect with no clean silence yet is closed with probability p (estimated from the main pass
// and then from the re-check's own tries), one with a clean silence almost never, and a try
// whose answer is overdue draws no more errors. A batch ends when the bucket is down to the
// margin; the next begins once the model has refilled. A target that sent more errors than
// the model allows has a looser limit than modelled (IPv6's, a shared global one): its next
// batch is optimistic, any number of tries at risk, to find the closed suspects it will show;
// the model, a lower bound still, alone judges the silences. The refill those errors show, the
// model takes (learn_refill): a target refilling faster than assumed is not held to the
// assumption's pace.
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/detail/icmp_limit_model.hpp"
#include "probe/detail/silence_evidence.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace breakwater::probe {

// Spare tokens demanded of the ICMP limit model, for errors lost on the way back unseen.
inline constexpr double icmp_token_margin = 1.0;
// Tokens the target must hold for a probe's silence to show that no error was suppressed.
inline constexpr double icmp_clean_tokens = 1.0 + icmp_token_margin;
// An error vouches for the clean silences before it where the model held at most this much
// beyond a clean silence's tokens for it (see icmp_recheck::audit_witness): the target's refill
// comes in its clock's ticks, and its errors a one-way delay after the tries, within a few
// hundredths of a token of the model's moments.
inline constexpr double vouch_level_slack = 0.02;

// What the re-check needs from the scan that runs it. Ports are named by the host's own ids.
// The outcome of every try sent and not cancelled comes back through icmp_recheck::on_answer,
// on_silence or on_unsent, on the executor the re-check runs on, before wait_all_back returns;
// an answer after a try's silence (a lingering try's, the main pass's too) through on_late.
class recheck_host {
 public:
  virtual ~recheck_host() = default;
  // Waits until up to `wanted` more probes may leave (at least one); returns how many may, 0
  // once the scan is over.
  virtual boost::asio::awaitable<std::size_t> wait_send_slots(std::size_t wanted) = 0;
  // Sends one re-check try to port `id`.
  virtual void send(std::size_t id) = 0;
  // Returns once every try sent has come back (answered, silent or cancelled).
  virtual boost::asio::awaitable<void> wait_all_back() = 0;
  // Returns at `t`, or sooner when the scan stops.
  virtual boost::asio::awaitable<void> sleep_until(time_point t) = 0;
  // Returns when a try comes back, at `t`, or when the scan stops, whichever is first (it may
  // also return early for no reason: the caller looks again).
  virtual boost::asio::awaitable<void> wait_back_or(time_point t) = 0;
  // How long after a try its answer is due (the retransmission timeout): a try older than that
  // with nothing back is all but certainly silent, and draws no error any more.
  virtual duration answer_due() const = 0;
  // Cancels the tries of port `id` still out: none of their outcomes comes back, and an error
  // each may still draw counts as spent in the model (icmp_limit_model::consume_unseen).
  virtual void cancel_tries_of(std::size_t id) = 0;
  // False once the scan was stopped or failed.
  virtual bool live() const = 0;
  // Port `id` is stealth; `how` says whether the re-check was needed, settled it or ran out.
  virtual void stealth(std::size_t id, recheck how) = 0;
};

// A port the main pass left undecided, with the send times of its unanswered tries (read
// only as run() starts, before its first wait).
struct undecided_port {
  std::size_t id = 0;
  std::span<const time_point> silent_at;
};

struct recheck_options {
  unsigned needed = 2;                         // silent tries that make a port stealth
  duration budget = std::chrono::seconds(20);  // zero or less: no re-probing at all
  unsigned needed_on_loss = 0;                 // `needed` once a re-check try shows loss
  // A port that answered with an ICMP error, tried again to test the model's burst.
  std::optional<std::size_t> witness{};
  // The chance that a try or its answer is lost, as the main pass measured it (1: unknown, so
  // every silence must be clean).
  double loss = 1;
  // When tries of ports that answered with an error on a later try of the main pass went
  // unanswered while the model held less than a token (found_limit_empty): moments the
  // target's limit was empty, which show its refill (icmp_limit_model::refill_rate_shown).
  std::vector<time_point> drained{};
};

// The clean silences (at least one, at most `needed`) that keep the expected number of closed
// ports called stealth under `max_wrong`, when about `hidden` closed ports hide among the
// suspects and a clean try of a closed one goes unanswered with chance `loss`.
unsigned needed_clean_for(double hidden, double loss, unsigned needed,
                          double max_wrong = max_expected_wrong);

// Whether a try sent at `sent` and left unanswered is a clean silence: the model held the
// spare token after every error drawn by the tries sent before it (and, for reordering, just
// after it), so a closed port would have answered. Judged once those errors are in: at the
// try's timeout or later.
bool clean_silence(const icmp_limit_model& icmp, time_point sent);
// Whether the model held a token (none to spare, maybe) for a try sent at `sent`, counted as
// clean_silence counts. Where it did, a closed port would have answered but for a lost error.
// (Where it did not, the try need not have found the limit empty: see found_limit_empty.)
bool held_a_token(const icmp_limit_model& icmp, time_point sent);
// Whether a try sent at `sent` that went unanswered found the target's limit empty, in
// whatever order the tries about it reached the target: the model held less than a token for
// it even had it overtaken every try sent up to icmp_reorder_slack before it. Only such a
// try shows the limit empty (recheck_options::drained). Tries sent a moment apart may arrive
// in the other order, and a silent one that merely could have come after the tries that
// spent the burst shows no empty limit: taken for one, it made the refill the errors after it
// show look faster than it was.
bool found_limit_empty(const icmp_limit_model& icmp, time_point sent);

class icmp_recheck {
 public:
  // `icmp` is the scan's model: the scan records in it every error seen, the re-check's too;
  // the re-check tightens it where the target shows it held fewer tokens than modelled.
  icmp_recheck(recheck_host& host, icmp_limit_model& icmp) : host_(host), icmp_(icmp) {}

  // Decides every port in `ports` that no answer decides: stealth, rechecked or unresolved.
  // Returns early, leaving ports undecided, when the host stops being live.
  boost::asio::awaitable<void> run(std::vector<undecided_port> ports, recheck_options o);

  // The outcome of a try sent by host.send: an answer (a repeated one included); nothing back
  // by its timeout (`sent`: when the try left); or a try that failed for a passing local
  // reason and so shows nothing either way. A cancelled try is none of these.
  void on_answer(std::size_t id, bool icmp_error, time_point sent);
  void on_silence(std::size_t id, time_point sent);
  void on_unsent(std::size_t id);
  // An answer to a try of suspect `id` (or of the witness) sent at `sent`, after its silence
  // was reported (a path's delay jumped): that silence is none, and the answer decides the
  // suspect. An error so late vouches for no silence: when the target drew it is unknown
  // (the scan books it as unseen: scan_run::take_answer).
  void on_late(std::size_t id, bool icmp_error, time_point sent);

 private:
  struct suspect {
    unsigned clean_silences = 0;  // silent tries the target's ICMP limit could not explain
    // When each silent try left (the main pass's and the re-check's), to judge them again
    // when the model changes.
    boost::container::small_vector<time_point, 4> silent_at;
    unsigned allowance = 0;  // tries it may still get in this batch
    unsigned in_flight = 0;
    unsigned fresh_out = 0;  // of those, sent while it was fresh
    bool answered = false;
    bool settled = false;  // clean silences enough: stealth when the re-check ends
    bool triaged = false;  // settled by the main pass's silences alone
    bool in_batch = false;
    bool ready = false;  // in one of the ready queues
    // A try of it went unanswered past its due time, or while the model held a token: its
    // risk is a checked suspect's.
    bool quiet = false;
  };
  // A try that may still draw an error: when it left, and the chance that it does.
  struct risky {
    std::size_t id = 0;
    time_point sent{};
    double risk = 0;
    bool live = true;  // still at risk: not back, not overdue
  };
  struct outcome {
    std::size_t id = 0;
    enum class kind { answer, error, silence, unsent, late_answer, late_error } what = kind::answer;
    time_point sent{};
  };

  bool clean(time_point sent) const;
  // The try sent at `sent` was answered late: its silence goes, and the clean ones left are
  // counted on the model as it is.
  void forget_silence(suspect& s, time_point sent);
  // `id` answered with an error after silences the model called clean: the model is made to
  // agree, and every silence is judged again; unless later errors show the target held a
  // token at each of those silences (icmp_limit_model::token_shown_at), where the port's own
  // probe or error was lost.
  void contradicted(std::size_t id);
  // Judges every silence again after the model changed: a suspect short of clean silences
  // now goes back in the queue, one with enough is settled.
  void judge_again();
  // Takes the refill the target showed, where faster than modelled (see recheck_options::
  // drained); the silences are then judged again, and the audit proves the new model.
  void learn_refill();
  // What `n` tries of the witness sent at once drew (the first silent one's send time), once
  // each is back, or once `enough` of them (if not 0) drew an error; the others are then
  // cancelled (recheck_host::cancel_tries_of), so that no later call counts their outcomes.
  struct witness_tries {
    unsigned sent = 0;
    unsigned errors = 0;
    std::optional<time_point> silent_at;
  };
  static bool is_late(const outcome& o);
  void witness_answered_late(time_point sent);
  // Takes the outcomes of `witness`'s tries out of back_ (take_outcomes drops them); a late
  // answer of one is no try back, and is taken at once (witness_answered_late).
  std::vector<outcome> take_outcomes_of(std::size_t witness);
  boost::asio::awaitable<witness_tries> send_witness(std::size_t witness, unsigned n,
                                                     unsigned enough = 0);
  void model_over(time_point silent_at);
  boost::asio::awaitable<std::optional<bool>> try_witness(std::size_t witness);
  boost::asio::awaitable<void> confirm_burst(std::size_t witness, time_point deadline);
  boost::asio::awaitable<void> explore_refill(std::size_t witness, time_point deadline);
  // Counts unseen errors where the witness went unanswered while the model held a token (see
  // there).
  void witness_was_empty();
  // Whether an error of a try sent at `sent` vouches for the clean silences before it.
  bool vouches(time_point sent) const;
  double level_before(time_point sent) const;
  // Returns as soon as it has passed (see there).
  boost::asio::awaitable<std::optional<bool>> audit_witness(std::size_t witness, double held);
  // Returns false where no audit could be made before the deadline.
  boost::asio::awaitable<bool> audit(std::size_t witness, time_point deadline);
  // Whether the clean silences `s` needs were vouched for (see audit_due).
  bool proven(const suspect& s) const;
  // Whether `s` has the silences, and the clean ones, to be stealth; the tries it lacks.
  bool enough(const suspect& s) const;
  unsigned lacking(const suspect& s) const;
  void loss_seen();
  // Drops from the tries at risk those whose answer is overdue; returns when the next is.
  time_point expire_risk(time_point now);
  void drop_risk(risky& r);
  void back_from(std::size_t id);
  // Puts `id` in its ready queue if it may have a try now.
  void make_ready(std::size_t id, suspect& s, bool front);
  // The tokens the model is likely to hold once the tries at risk are answered (see there).
  double expected_tokens(time_point now);
  std::deque<std::size_t> triage(std::vector<undecided_port> ports, const recheck_options& o);
  // Tries up to `size` suspects from the front of `queue` (see there).
  boost::asio::awaitable<void> run_batch(std::deque<std::size_t>& queue, time_point deadline,
                                         std::size_t size);
  // Makes the audit before the batch's last tries are back, when it may (see there); returns
  // whether it did.
  boost::asio::awaitable<bool> early_audit(double tokens);
  // Makes ready suspects waiting for a try out, while the bucket spills over (see there).
  void overflowing();
  boost::asio::awaitable<bool> when_idle(double tokens);
  // A suspect with a try out and another to go, not ready: it waits for that try.
  static bool is_waiting(const suspect& s);
  void note_waiting(std::size_t id, const suspect& s);
  // Applies the outcomes that came back since the last call (icmp_recheck_outcomes.cpp).
  void take_outcomes();
  // `id`'s answer, an ICMP `error` or not, to a try that left `fresh` (late: after its
  // silence was taken); a silence of a try that left `fresh`.
  void take_answer(std::size_t id, suspect& s, bool error, bool fresh, bool late, time_point sent);
  void take_silence(std::size_t id, suspect& s, bool fresh, time_point sent);
  double risk_of(const suspect& s) const;
  double closed_share() const;

  recheck_host& host_;
  icmp_limit_model& icmp_;
  unsigned needed_ = 2;
  unsigned needed_clean_ = 2;
  double hidden_ = 1;  // closed ports likely hidden among the suspects
  double loss_ = 1;    // a try's chance of losing its answer
  std::unordered_map<std::size_t, suspect> suspects_;
  std::vector<std::size_t> order_;            // the ports given to run, in their order
  std::vector<outcome> back_;                 // outcomes not yet applied
  std::deque<std::size_t>* queue_ = nullptr;  // run's queue, while it runs
  unsigned needed_on_loss_ = 2;
  // Tries at risk of drawing an error, in the order sent: risk_in_flight_ sums the live ones'
  // risk, tries_at_risk_ counts them.
  std::deque<risky> at_risk_;
  // The batch's suspects with a try to go: with a clean or quiet silence and none out, fresh
  // ones, and those whose last try is still out (low-risk ones, or any while the bucket spills
  // over: see overflowing), served in that order.
  std::deque<std::size_t> ready_checked_;
  std::deque<std::size_t> ready_fresh_;
  std::deque<std::size_t> ready_again_;
  // The batch's suspects that became waiting (is_waiting), in that order; those no longer
  // waiting are dropped when met, so that neither overflowing nor early_audit walks the batch.
  std::deque<std::size_t> waiting_;
  std::size_t in_flight_ = 0;
  std::size_t tries_at_risk_ = 0;
  double risk_in_flight_ = 0;
  // The share of fresh suspects (no clean silence yet) that turn out closed: a prior from the
  // main pass (prior_closed_ of prior_tries_), then every fresh try's outcome.
  double prior_closed_ = 1;
  double prior_tries_ = 2;
  std::size_t fresh_tries_ = 0;
  std::size_t fresh_errors_ = 0;
  // The same for the low-risk suspects (a clean or quiet silence already).
  std::size_t low_tries_ = 0;
  std::size_t low_errors_ = 0;
  // The next batch may have any number of tries at risk: the target showed more errors than
  // the model allows (in the main pass, or in the last batch).
  bool optimistic_ = false;
  // The batch running sends whatever the model holds (see run): `ungated_tries` suspects.
  static constexpr std::size_t ungated_tries = 64;
  static constexpr int max_ungated_rounds = 8;
  bool ungated_ = false;
  std::size_t drained_learned_ = 0;  // drained_'s size when the ungated batch last learned
  // Closed ports found silent at moments the model called clean. One may be loss; from the
  // second on the target's burst is taken to be smaller than modelled.
  unsigned contradictions_ = 0;
  // expected_tokens' last walk: its tick, the moment it was for, what it gave, the risk of the
  // tries sent since, and whether an error or a change of the model has made it stale.
  time_point expected_tick_{};
  time_point expected_at_{};
  double expected_base_ = 0;
  double risk_since_expected_ = 0;
  bool expected_stale_ = true;
  // The audit is due while the latest silence judged clean (its try's send time) is later than
  // what the target last vouched for: every try sent before one that drew an error where the
  // model held no more than a clean silence's tokens (vouches), or before an audit that passed
  // (audit_witness).
  time_point latest_clean_{time_point::min()};
  time_point vouched_{time_point::min()};
  bool audit_due() const noexcept { return latest_clean_ > vouched_; }
  // Moments the target's limit was empty (see recheck_options::drained), the re-check's too;
  // the witness's silent tries while exploring the refill (see witness_was_empty).
  std::vector<time_point> witness_silent_;
  std::vector<time_point> drained_;
  // The witness, and whether the batch running made its audit early (see early_audit).
  std::optional<std::size_t> witness_;
  bool audited_early_ = false;
};

}  // namespace breakwater::probe
