#include "app/scan_metrics.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string_view>

namespace breakwater::app {
namespace {

// One metric: its help, its type and its one value.
std::string metric(std::string_view name, std::string_view type, std::string_view help,
                   std::uint64_t value) {
  return fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
}

std::string scan_lines(const scan::service_stats& s) {
  return metric("breakwater_scans_running", "gauge", "Scans of visitors' addresses running now.",
                s.running) +
         metric("breakwater_scans_kept", "gauge",
                "Scans held in memory (running or finished, not expired).", s.kept) +
         metric("breakwater_scans_kept_bytes", "gauge",
                "Memory the scans held in memory take, as counted against max_kept_mib.",
                s.kept_bytes) +
         metric("breakwater_scans_started_total", "counter", "Scans started.", s.started) +
         metric("breakwater_scans_refused_total", "counter", "Scans refused by a limit.",
                s.refused) +
         metric("breakwater_scan_probes_total", "counter", "Port probes sent by scans.",
                s.probes_sent);
}

std::string reach_lines(const scan::service_stats& s) {
  return metric("breakwater_reach_tests_open", "gauge",
                "Reach tests open now (sending or sent, neither confirmed nor expired).",
                s.reach_open) +
         metric("breakwater_reach_tests_kept", "gauge",
                "Reach tests held in memory (open or closed, not yet forgotten).", s.reach_kept) +
         metric("breakwater_reach_tests_started_total", "counter", "Reach tests started.",
                s.reach_started) +
         metric("breakwater_reach_tests_confirmed_total", "counter",
                "Reach tests whose nonce came back in time.", s.reach_confirmed) +
         metric("breakwater_reach_tests_expired_total", "counter",
                "Reach tests that expired unconfirmed.", s.reach_expired) +
         metric("breakwater_reach_tests_refused_total", "counter",
                "Reach tests refused by a limit (open tests, the probe budget).", s.reach_refused);
}

}  // namespace

std::string scan_metrics(const scan::service_stats& s) { return scan_lines(s) + reach_lines(s); }

}  // namespace breakwater::app
