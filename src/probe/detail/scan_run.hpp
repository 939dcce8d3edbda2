// One scan in progress: the main pass over every port, then the ICMP re-check (its own unit)
// of the ports left silent, run on this scan's probes, pacing and clock.
#pragma once

#include "probe/detail/engine_state.hpp"
#include "probe/detail/icmp_limit_model.hpp"
#include "probe/detail/icmp_recheck.hpp"
#include "probe/detail/pacer.hpp"
#include "probe/detail/rtt_estimator.hpp"
#include "probe/detail/timer.hpp"
#include "probe/engine.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace breakwater::probe {

// How long a scan's try is still heard after its timeout (probe_try::linger). A path's delay
// may jump by a few hundred milliseconds, a second or two where a queue fills (a busy uplink),
// past any timeout fitted to its usual round trip; the answers then come all the same, and an
// ICMP error among them has spent the target's token. Heard while the scan runs, they decide
// the ports still in question (a port already given its verdict keeps it) and the model books
// their tokens; unheard, the model would count tokens the target no longer has and take
// silences for clean. Lingering tries cost the prober a slot each, not the scan's in-flight
// room. Their round trips are measured ones (a stall raises the timeouts after it, as TCP's).
inline constexpr duration late_answer_linger = std::chrono::seconds(3);
// A lingering UDP try keeps its socket (udp_prober_options::max_lingering bounds them all): a
// scan asks at most this many of its UDP tries to linger at once, counting those out that
// may, so that one visitor's scan of every UDP port leaves other scans their places. A try
// past it ends at its timeout.
inline constexpr std::size_t max_scan_lingering_sockets = 512;

// A scan's share of the `sockets` the UDP prober's lingering tries may hold (0: they hold
// none, and only max_scan_lingering_sockets bounds it): a quarter, so that four scans at the
// least find places, within [1, max_scan_lingering_sockets].
constexpr std::size_t scan_lingering_share(std::size_t sockets) noexcept {
  if (sockets == 0) return max_scan_lingering_sockets;
  return std::clamp<std::size_t>(sockets / 4, 1, max_scan_lingering_sockets);
}

class scan_run : public std::enable_shared_from_this<scan_run>,
                 private recheck_host,
                 private probe_sink {
 public:
  scan_run(std::shared_ptr<engine::state> eng, scan_request request);
  boost::asio::awaitable<boost::system::result<scan_result, failure>> run();
  void stop();  // on the executor only
  std::stop_token stop_token_for_callback() const { return req_.stop; }

 private:
  enum class phase { main, recheck };
  struct record {
    std::uint16_t port = 0;
    transport proto = transport::tcp;
    unsigned tries = 0;
    // Tries started (`tries` forgets a failed send once it is back): the next try's
    // probe_try::earlier. No two tries out at once share one.
    std::uint32_t started = 0;
    // Inline for the usual two or three tries: a silent try allocates nothing.
    boost::container::small_vector<time_point, 3> silent_at;
    bool decided = false;
    bool queued = false;  // waiting in queue_ for its next try
  };
  struct hedge {
    time_point at;
    std::size_t idx = 0;
  };
  // One try out, in a slot reused once it is back: no coroutine and no allocation per try.
  // Its tag for the prober is the slot and the slot's generation.
  struct flight {
    std::size_t idx = 0;
    time_point sent;
    unsigned try_number = 0;
    std::uint32_t earlier = 0;  // its probe_try::earlier
    phase ph = phase::main;
    prober* backend = nullptr;
    probe_handle handle = 0;
    std::uint32_t generation = 0;
    bool out = false;
    bool unmeasured = false;    // a TCP try sent before any round trip was measured
    bool lingers = false;       // asked to linger (probe_try::linger)
    bool holds_socket = false;  // one of sockets_lingering_
  };
  // A try the prober reported silent and still hears (late_answer_linger), until `until`.
  struct lingering {
    probe_tag tag = 0;
    prober* backend = nullptr;
    probe_handle handle = 0;
    std::size_t idx = 0;
    time_point sent;
    time_point until;
    unsigned try_number = 0;
    phase ph = phase::main;
    bool holds_socket = false;  // one of sockets_lingering_
  };
  // When an unmeasured try is given up for silent, once the first round trip is known.
  struct cut {
    time_point at;
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
  };

  boost::asio::awaitable<void> main_pass();
  boost::asio::awaitable<void> recheck_pass();
  // The port the re-check tries to test its model of the limit (see there), if any.
  std::optional<std::size_t> witness() const;
  boost::asio::awaitable<void> wait_wake();
  boost::asio::awaitable<void> sleep_paced(time_point t);
  boost::asio::awaitable<void> drain();
  void cancel_decided_tries();
  void cancel_try(std::uint32_t slot);
  boost::asio::awaitable<void> stop_wait();
  void wake();
  void launch(std::size_t idx, duration timeout, phase ph);
  // probe_sink: a try is back from the prober.
  void finished(probe_tag tag, const probe_outcome& o) override;
  void late(probe_tag tag, const probe_outcome& o) override;
  void linger(std::uint32_t slot);
  // Drops the lingering tries whose linger is over (the prober has let them go).
  void purge_lingering(time_point now);
  void forget_lingering();
  probe_tag tag_of(std::uint32_t slot) const {
    return (static_cast<probe_tag>(flights_[slot].generation) << 32) | slot;
  }
  const boost::asio::any_io_executor& executor() const noexcept override { return ex_; }
  void land(std::uint32_t slot, const probe_outcome& o);
  void hold_to_measured_timeout();
  void arm_cuts();
  void cut_due_tries();
  void on_outcome(std::size_t idx, time_point sent, unsigned try_number, const probe_outcome& o,
                  phase ph);
  // An answer, on time or `late` (after the try was taken for silent).
  void take_answer(std::size_t idx, time_point sent, unsigned try_number, const probe_outcome& o,
                   phase ph, bool late);
  // An answer's time as the scan reads it: whether it is a round trip, and how long after
  // the try the SYN that drew it left.
  struct answer_time {
    bool timed;
    duration resent_after;
  };
  answer_time time_of(const probe_outcome& o) const;
  void enqueue(std::size_t idx, bool front = false);
  void release_due_hedges(time_point now);
  duration main_timeout(const record& r) const;
  void tries_for_loss();
  void decide(std::size_t idx, port_state state, reason why, std::optional<icmp_info> icmp,
              std::optional<duration> rtt, recheck rc, unsigned tries = 0,
              std::optional<udp_answer> udp = std::nullopt);
  void start_side_tasks();
  bool retry_would_be_hidden(const record& r);
  time_point spent_until(time_point now) const;
  bool limit_spent(time_point now) const;
  std::optional<time_point> yield_until(time_point now);
  bool wants_clean_try(const record& r) const;

  // recheck_host: the re-check's tries go out as this scan's probes. The main pass waits for
  // its send slots, sleeps and checks liveness the same way.
  boost::asio::awaitable<std::size_t> wait_send_slots(std::size_t wanted) override;
  void send(std::size_t idx) override;
  boost::asio::awaitable<void> wait_all_back() override;
  boost::asio::awaitable<void> sleep_until(time_point t) override;
  // sleep_until wakes on every try's outcome already (wake()).
  boost::asio::awaitable<void> wait_back_or(time_point t) override { return sleep_until(t); }
  duration answer_due() const override { return rtt_.rto(); }
  void cancel_tries_of(std::size_t idx) override;
  bool live() const noexcept override { return !stopped_ && !fatal_; }
  void stealth(std::size_t idx, recheck how) override;

  std::shared_ptr<engine::state> eng_;
  scan_request req_;
  boost::asio::any_io_executor ex_;
  rtt_estimator rtt_;
  pacer pace_;
  icmp_limit_model icmp_;
  icmp_recheck recheck_;  // after icmp_, which it reads
  std::vector<record> records_;
  std::vector<std::optional<port_result>> verdicts_;
  std::deque<std::size_t> queue_;
  std::deque<hedge> hedges_;  // next tries due before the first try's timeout (unmeasured RTT)
  std::size_t in_flight_ = 0;
  std::size_t side_tasks_ = 0;
  std::size_t decided_ = 0;
  std::size_t transient_failures_ = 0;
  time_point backoff_until_{};
  recent_count held_;   // this scan's own bookings in eng_->held
  duration yielded_{};  // time the main pass held its tries for other scans (yield_until)
  std::vector<flight> flights_;
  std::vector<std::uint32_t> free_flights_;
  std::vector<cut> cuts_;  // latest first: the next one due is at the back
  // In the order their silences came (`until` ascending); one heard has no backend. (A deque:
  // a vector of them, grown past malloc's mmap threshold, costs a fresh mapping per scan.)
  std::deque<lingering> lingering_;
  // This scan's UDP tries out with a linger or lingering, and how many may be
  // (scan_lingering_share).
  std::size_t sockets_lingering_ = 0;
  std::size_t socket_share_ = max_scan_lingering_sockets;
  bool rechecking_ = false;  // the re-check has its suspects
  timer wake_;
  timer stop_timer_;  // never expires; cancelled to stop the ping and UPnP side tasks
  timer cut_timer_;   // for cuts_.back()
  bool stopped_ = false;
  bool pacing_ = false;  // asleep until booked send slots: outcomes do not wake it
  // Ports the main pass saw answer (ICMP errors aside), and of those the ones that answered a
  // retry only (any: the path loses packets): the loss the re-check weighs silences by.
  std::size_t answered_ = 0;
  std::size_t answered_late_ = 0;
  unsigned tries_ = 2;         // tries per port, more once loss is seen (tries_for_loss)
  unsigned tries_queued_ = 0;  // the tries_ that finished ports were last queued again for
  std::size_t in_flight_cap_ = min_scan_in_flight;
  std::uint64_t series_ = 0;  // this scan's probe_try::series
  std::optional<failure> fatal_;
  std::optional<ping_result> ping_;
  std::optional<upnp_result> upnp_;
};

}  // namespace breakwater::probe
