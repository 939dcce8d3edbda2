// Whether a scan (or a reach test) may start: the target policy, the running pools (scans and
// single-port checks apart, per holder and per IPv6 /48) and the hourly probe budgets. Not locked
// itself: every call but check_target (which reads only what construction set) is made
// under the service's lock. Asio-free.
#pragma once

#include "scan/fair_use.hpp"
#include "scan/scan_record.hpp"
#include "scan/service.hpp"
#include "scan/settings.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::scan {

// Who pays for a plan of `probes` probes from `address`.
claim claim_of(std::string_view address, bool check, std::size_t probes);

// 503 "busy" when the memory for kept results is held by running (or watched) scans.
refusal no_room_for_results();

class admission {
 public:
  admission(const settings& s, bool allow_loopback);

  // A refusal when `address` may not be probed at all.
  std::optional<refusal> check_target(std::string_view address) const;

  // Takes a place in the pools and charges the budgets, or says why not (and takes nothing).
  // `holder_running`: the scans the claim's holder runs now.
  std::optional<refusal> admit(const claim& c, std::size_t holder_running, steady::time_point now);
  // Charges the budgets for a claim that takes no place in the pools (a reach test: a few
  // packets to one port, not a scan), or says why not (and charges nothing).
  std::optional<refusal> spend(const claim& c, steady::time_point now);
  // Gives the place back, and refunds the probes the scan did not send.
  void release(const claim& c, std::size_t unsent);

  // From now on every scan is refused (the service is shutting down).
  void close() noexcept { closed_ = true; }
  void forget_old(steady::time_point now);

  std::size_t running() const noexcept { return running_; }
  std::size_t running_checks() const noexcept { return running_checks_; }

 private:
  std::optional<refusal> refuse(const claim& c, std::size_t holder_running) const;
  std::optional<refusal> charge(const claim& c, steady::time_point now, bool scan = true);
  std::optional<refusal> shutting_down() const;

  std::size_t max_running_;
  std::size_t max_running_checks_;
  std::size_t max_running_per_holder_;
  std::size_t probes_per_hour_;
  bool allow_loopback_;
  probe_budget budget_;
  probe_budget wide_budget_;
  std::map<std::string, std::size_t, std::less<>> wide_running_;  // by IPv6 /48
  std::size_t running_ = 0;                                       // checks included
  std::size_t running_checks_ = 0;
  bool closed_ = false;
};

}  // namespace breakwater::scan
