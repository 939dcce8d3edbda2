// Retransmission timeout from measured round trips, after RFC 6298 (SRTT, RTTVAR, backoff).
#pragma once

#include "probe/detail/clock.hpp"

#include <optional>

namespace breakwater::probe {

struct rto_limits {
  duration initial = std::chrono::seconds(1);  // before any measurement (RFC 6298 2.1)
  duration floor = std::chrono::milliseconds(100);
  duration ceiling = std::chrono::seconds(3);
  duration granularity = std::chrono::milliseconds(1);  // G in RFC 6298
  // Before any round trip is measured, a silent port's next try leaves this long after the
  // previous one while that one keeps listening for its whole initial timeout: retries then
  // cover loss without waiting out the conservative timeout twice. Zero turns it off.
  duration hedge = std::chrono::milliseconds(250);
  // The largest factor a retry's timeout grows by. RFC 6298 doubles without end for one
  // connection's retransmissions; a scan's tries are separate probes, and once round trips
  // are measured a silent try is far likelier a drop than a late answer, so once is enough.
  unsigned max_backoff = 2;
};

class rtt_estimator {
 public:
  explicit rtt_estimator(rto_limits limits = {}) : limits_(limits) {}

  // A round trip known before the first probe (e.g. TCP_INFO of the visitor's connection);
  // it counts as the first measurement.
  void seed(duration rtt) { sample(rtt); }
  void sample(duration rtt);

  bool measured() const noexcept { return srtt_.has_value(); }
  std::optional<duration> srtt() const noexcept { return srtt_; }
  duration rttvar() const noexcept { return rttvar_; }
  // The shortest round trip measured (the seed included); nothing before a measurement.
  std::optional<duration> fastest() const noexcept { return fastest_; }
  // The timeout for a first try; try n waits rto() * 2^(n-1) (RFC 6298 5.5), at most
  // rto() * max_backoff, within the limits.
  duration rto() const noexcept;
  duration timeout_for_try(unsigned try_number) const noexcept;

 private:
  rto_limits limits_;
  std::optional<duration> srtt_;
  duration rttvar_{};
  std::optional<duration> fastest_;
};

}  // namespace breakwater::probe
