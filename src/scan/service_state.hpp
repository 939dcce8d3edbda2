// What the scan service's lock guards, shared by the service thread, the callers of the
// service and the open subscriptions (which may outlive the service: they hold it weakly).
// Asio-free.
#pragma once

#include "scan/admission.hpp"
#include "scan/probe_service.hpp"
#include "scan/reach_registry.hpp"
#include "scan/registry.hpp"

#include <cstdint>
#include <mutex>

namespace breakwater::scan {

struct service_state {
  explicit service_state(probe_service_options o)
      : options(std::move(o)),
        scans(options.settings.max_kept, options.settings.max_kept_per_holder,
              options.settings.max_kept_mib << 20),
        reaches(options.settings.reach),
        gate(options.settings, options.allow_loopback) {}

  const probe_service_options options;
  mutable std::mutex mu;
  // Everything below is used only with `mu` held.
  registry scans;
  reach_registry reaches;
  admission gate;  // the budgets scans and reach tests share
  // started, refused, probes_sent, reach_refused; the rest is counted by the parts
  service_stats counters;
  std::uint64_t next_subscriber = 1;
};

}  // namespace breakwater::scan
