// The dry-run transport: a scripted target that answers in (virtual) time without a network,
// with round-trip delay, loss and a Linux-like ICMP error rate limit. For logic tests.
#pragma once

#include "probe/probers/coroutine_prober.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace breakwater::probe {

enum class fake_port { open, reset, icmp_port_unreachable, icmp_admin_prohibited, drop };

struct fake_target_options {
  duration rtt = std::chrono::milliseconds(50);
  duration jitter{};            // each way, uniform in [-jitter, +jitter]
  double loss = 0.0;            // chance of losing each packet, each way
  bool icmp_rate_limit = true;  // Linux: burst of 6, then one per second, per peer
  double icmp_burst = 6;
  duration icmp_refill = std::chrono::seconds(1);
  // A limit on all the target's ICMP errors, to every peer (Linux's icmp_msgs_per_sec, BSD's
  // icmplim): zero refill for none. Other peers' errors draw on it too, `icmp_others` a second.
  double icmp_global_burst = 50;
  duration icmp_global_refill{};
  double icmp_others = 0;
  // Who sends the ICMP errors, limiter and all: the target itself (unspecified), or a router
  // on the way at this address, refusing on the target's behalf.
  boost::asio::ip::address icmp_from{};
  fake_port other_ports = fake_port::drop;
  std::uint32_t seed = 1;
  // Moments the path holds every packet (a queue filling somewhere): each (start after the
  // first probe, length); a packet due inside one arrives at its end.
  std::vector<std::pair<duration, duration>> stalls{};
  // How long each probe takes to leave: virtual time moves on by it at every probe, so that
  // the tries a scan starts together have distinct send times, as on a real host.
  duration send_gap{};
  // The limiter takes its tokens in the order the probes arrive (each waits for its arrival
  // before it is judged), not in the order they were sent: with jitter, probes sent a moment
  // apart overtake each other, as on a real path.
  bool limit_at_arrival = false;
};

// What the target made of one probe, for a trace of a scan (bw_icmp_sweep --trace).
struct fake_probe_event {
  time_point sent{};
  std::uint16_t port = 0;
  fake_port behaviour = fake_port::drop;
  bool lost_out = false;     // the probe was lost on the way
  bool error_drawn = false;  // an ICMP error left the target (its token spent)
  bool suppressed = false;   // an ICMP error was due, and the limit had no token for it
  bool lost_back = false;    // the answer was lost on the way back, or came after the timeout
  double tokens = 0;         // the per-peer limiter's tokens after the probe (ICMP ports)
};

class fake_target final : public coroutine_prober {
 public:
  explicit fake_target(fake_target_options options = {});

  // Called for every probe, as the target handles it.
  void on_probe(std::function<void(const fake_probe_event&)> f) { on_probe_ = std::move(f); }

  void set(std::uint16_t port, fake_port behaviour) { ports_[port] = behaviour; }
  // The first `n` probes of `port` are lost on the way (a scripted loss).
  void lose_first(std::uint16_t port, std::size_t n) { lose_first_[port] = n; }
  // The `n`-th probe of `port` (from 1) is lost on the way (each call adds one).
  void lose_nth(std::uint16_t port, std::size_t n) { lose_nth_.insert({port, n}); }
  // The `n`-th ICMP error `port` draws from now on (from 1) is lost on the way back: its token
  // is spent.
  void lose_error_nth(std::uint16_t port, std::size_t n) {
    lose_error_nth_.insert({port, errors_of_[port] + n});
  }
  // The open `port`'s first SYN-ACK is lost on the way back. The port holds that SYN half-open
  // and answers every later probe with a bare ACK of it, as Linux does (RFC 5961's challenge
  // ACK): reason::ack, untimed, as the raw prober reports it.
  void lose_first_syn_ack(std::uint16_t port) { lose_first_syn_ack_.insert(port); }
  // The answer to the `n`-th probe of `port` (from 1) comes `extra` later than it would.
  void delay_nth(std::uint16_t port, std::size_t n, duration extra) {
    delay_nth_[{port, n}] = extra;
  }
  fake_port behaviour(std::uint16_t port) const;

  boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target, std::uint16_t port,
                                              duration timeout) override;
  // The same, with an answer heard until `heard_until` after the probe (probe_try::linger):
  // one that comes after `timeout` calls `at_timeout` then, and is returned when it comes. A
  // probe that draws none, or none by then, is over at `timeout`. (The target itself does not
  // linger: lingering_view does.)
  boost::asio::awaitable<probe_outcome> probe_until(boost::asio::ip::address target,
                                                    std::uint16_t port, duration timeout,
                                                    duration heard_until,
                                                    std::function<void()> at_timeout) override;

  // What the tests look at.
  std::size_t probes() const noexcept { return send_times_.size(); }
  std::size_t max_in_flight() const noexcept { return max_in_flight_; }
  std::size_t icmp_suppressed() const noexcept { return suppressed_; }
  // ICMP errors the target sent that the scanner never saw (lost on the way back, or back after
  // the try's timeout), drawn before any error of their port had been drawn that the scanner
  // sees: tokens spent that any scanner must spend again to see the port refuse (the bound of
  // issue 17 counts one token a refusing port).
  std::size_t errors_lost_before_first() const noexcept { return errors_lost_before_first_; }
  const std::vector<time_point>& send_times() const noexcept { return send_times_; }
  std::size_t probes_of(std::uint16_t port) const;
  // When each port probed so far had its first probe.
  const std::map<std::uint16_t, time_point>& first_sent() const noexcept { return first_sent_; }

 private:
  bool lost();
  duration one_way();
  time_point past_stalls(time_point due) const;
  bool icmp_allowed(time_point at);
  bool global_allows(time_point at);

  fake_target_options options_;
  std::map<std::uint16_t, fake_port> ports_;
  std::map<std::uint16_t, std::size_t> per_port_;
  std::map<std::uint16_t, time_point> first_sent_;
  std::map<std::uint16_t, std::size_t> lose_first_;
  std::set<std::pair<std::uint16_t, std::size_t>> lose_nth_;
  std::set<std::pair<std::uint16_t, std::size_t>> lose_error_nth_;
  std::set<std::uint16_t> lose_first_syn_ack_;
  std::map<std::pair<std::uint16_t, std::size_t>, duration> delay_nth_;
  std::set<std::uint16_t> half_open_;
  std::map<std::uint16_t, std::size_t> errors_of_;
  std::mt19937 rng_;
  double tokens_;
  time_point tokens_at_{};
  double global_tokens_;
  time_point global_at_{};
  std::vector<time_point> send_times_;
  std::size_t in_flight_ = 0;
  std::size_t max_in_flight_ = 0;
  std::size_t suppressed_ = 0;
  std::set<std::uint16_t> errored_;  // ports one of whose errors reaches the scanner
  std::size_t errors_lost_before_first_ = 0;
  std::function<void(const fake_probe_event&)> on_probe_;
};

// The target through a prober that hears tries past their timeout (probe_try::linger), as the
// raw-SYN prober does: a try is reported silent at its timeout, and its answer within the
// linger comes late (probe_sink::late). The target counts a lingering try in flight.
std::shared_ptr<prober> lingering_view(std::shared_ptr<fake_target> target);

// The same target seen over UDP: its ports answer as UDP services (open: a 10-byte answer
// to a 2-byte request), and its ICMP errors come from the same limiter as the TCP probes',
// as a Linux host's do. For the engine's UDP path in virtual time.
std::shared_ptr<prober> udp_view(std::shared_ptr<fake_target> target);

}  // namespace breakwater::probe
