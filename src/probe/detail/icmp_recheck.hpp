// The ICMP re-check: settles the ports a scan's main pass left silent while the target's ICMP
// error limit may have hidden their errors. It waits for the modelled limit to refill, then
// re-probes suspects in batches; a batch that leaves the target tokens to spare after every
// error it drew is clean, and its silences could not have been hidden errors. So is a batch of
// no more tries than the target holds tokens (less the margin): even if every try drew an
// error, none was suppressed. Such safe batches settle the suspects at the rate the target's
// limit refills when most of them are closed (UDP, where every closed port costs an error);
// larger, optimistic batches clear many silent suspects at once when few are closed (TCP).
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/detail/icmp_limit_model.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <span>
#include <unordered_map>
#include <vector>

namespace breakwater::probe {

// Spare tokens demanded of the ICMP limit model, for errors lost on the way back unseen.
inline constexpr double icmp_token_margin = 1.0;

// What the re-check needs from the scan that runs it. Ports are named by the host's own ids.
// The outcome of every try sent comes back through icmp_recheck::on_answer or on_silence, on
// the executor the re-check runs on, before wait_all_back returns.
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
  unsigned needed = 2;                         // clean silences that make a port stealth
  duration budget = std::chrono::seconds(20);  // zero or less: no re-probing at all
};

class icmp_recheck {
 public:
  // `icmp` is the scan's model: the scan records in it every error seen, the re-check's too.
  icmp_recheck(recheck_host& host, const icmp_limit_model& icmp) : host_(host), icmp_(icmp) {}

  // Decides every port in `ports` that no answer decides: stealth, rechecked or unresolved.
  // Returns early, leaving ports undecided, when the host stops being live.
  boost::asio::awaitable<void> run(std::vector<undecided_port> ports, recheck_options o);

  // The outcome of a try sent by host.send: an answer (a repeated one included), or nothing
  // back by its timeout (the scan reports a try that failed for a passing local reason so
  // too). A cancelled try is neither.
  void on_answer(std::size_t id, bool icmp_error);
  void on_silence(std::size_t id);

 private:
  struct suspect {
    unsigned clean_silences = 0;  // silent tries the target's ICMP limit could not explain
    bool answered = false;
  };

  unsigned clean_silences(std::span<const time_point> silent_at) const;
  std::deque<std::size_t> triage(std::vector<undecided_port> ports, const recheck_options& o);
  // Sends k suspects, each one try (`one_try`) or as many as it lacks; returns the tries sent.
  boost::asio::awaitable<std::size_t> send_batch(std::deque<std::size_t>& queue, std::size_t k,
                                                 bool one_try);
  bool settle_batch(double available, std::size_t sent, std::deque<std::size_t>& queue);

  recheck_host& host_;
  const icmp_limit_model& icmp_;
  unsigned needed_ = 2;
  std::unordered_map<std::size_t, suspect> suspects_;
  // Filled by the tries of one batch.
  std::size_t batch_icmp_ = 0;
  std::vector<std::size_t> batch_silent_;
};

}  // namespace breakwater::probe
