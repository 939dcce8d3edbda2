// The scan service's settings ([scan] in the configuration file): how long results live,
// fair-use limits, rates, the target policy and the reach tests' limits. Defaults are written
// here and nowhere else.
#pragma once

#include "probe/backend_kind.hpp"

#include <chrono>
#include <cstddef>
#include <optional>

namespace breakwater::scan {

// The reach tests' limits (scan/reach_registry applies them).
struct reach_limits {
  std::chrono::seconds open_for{180};  // time to receive and confirm the nonce
  std::chrono::seconds kept_for{600};  // from the start: then it is forgotten
  // Open tests (sending or sent, not yet confirmed or expired) per holder: an IPv4 address
  // or an IPv6 /64; its /48 may have 4x as many, as with scans.
  std::size_t max_open_per_holder = 3;
  std::size_t max_open = 1024;  // open tests, all requesters
  std::size_t max_kept = 4096;  // tests in memory, open or not (the oldest closed go first)
};

struct settings {
  bool enabled = true;
  std::chrono::seconds keep_results{30 * 60};  // a scan is forgotten this long after it started
  // A running scan nobody watches (no event stream open, no GET) this long is cancelled.
  std::chrono::seconds idle_cancel{20};
  std::size_t max_running = 32;         // all visitors together
  std::size_t max_running_checks = 16;  // single-port checks, apart from max_running
  // Scans (checks included) running at once per holder: an IPv4 address or an IPv6 /64;
  // an IPv6 /48 may run 4x as many (the same factor applies to its probe budget).
  std::size_t max_running_per_holder = 1;
  std::size_t max_kept = 20'000;         // results in memory, all visitors (oldest go first)
  std::size_t max_kept_per_holder = 64;  // the same per holder (an IPv6 /48: 4x as many)
  // Memory for kept results, all visitors, in MiB (scan/kept_bytes counts it): past it the
  // oldest finished go first, and while running scans alone fill it new ones are refused.
  // A 0-1055 scan holds about 270 KB while it runs (10 KB once finished and packed), a full
  // range about 16 MB.
  std::size_t max_kept_mib = 256;
  std::size_t probes_per_hour = 200'000;  // per holder (a full range is 65,536)
  std::size_t max_rate = 20'000;          // probes per second, all scans
  std::size_t scan_rate = 3'000;          // probes per second to one visitor
  std::size_t full_range_rate = 1'000;    // the same for any scan of over 4,096 ports
  std::size_t max_in_flight = 16'384;     // probes out at once, all scans
  probe::backend_kind prober = probe::backend_kind::automatic;  // raw SYN when allowed
  // Unset ("auto"): only when every listener is on loopback and no proxy is trusted.
  std::optional<bool> allow_loopback;
  reach_limits reach;
};

}  // namespace breakwater::scan
