// The scan service's lines of /metrics: every scan and reach test counter, each with its HELP
// and TYPE, in Prometheus text format.
#include "app/scan_metrics.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <utility>

namespace breakwater::app {
namespace {

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(scan_metrics, scans_and_reach_tests_each_with_help_and_type) {
  scan::service_stats s;
  s.running = 2;
  s.kept = 7;
  s.kept_bytes = 123456;
  s.started = 9;
  s.refused = 1;
  s.probes_sent = 1000;
  s.reach_open = 3;
  s.reach_kept = 11;
  s.reach_started = 12;
  s.reach_confirmed = 8;
  s.reach_expired = 1;
  s.reach_refused = 4;
  std::string text = scan_metrics(s);
  EXPECT_TRUE(has(text,
                  "# HELP breakwater_scans_running Scans of visitors' addresses running now.\n"
                  "# TYPE breakwater_scans_running gauge\nbreakwater_scans_running 2\n"))
      << text;
  EXPECT_TRUE(has(text, "\nbreakwater_scans_kept 7\n")) << text;
  EXPECT_TRUE(has(text,
                  "# TYPE breakwater_scans_kept_bytes gauge\nbreakwater_scans_kept_bytes "
                  "123456\n"))
      << text;
  EXPECT_TRUE(has(text, "\nbreakwater_scans_started_total 9\n")) << text;
  EXPECT_TRUE(has(text, "\nbreakwater_scans_refused_total 1\n")) << text;
  EXPECT_TRUE(has(text, "\nbreakwater_scan_probes_total 1000\n")) << text;
  EXPECT_TRUE(
      has(text, "# TYPE breakwater_reach_tests_open gauge\nbreakwater_reach_tests_open 3\n"))
      << text;
  EXPECT_TRUE(
      has(text, "# TYPE breakwater_reach_tests_kept gauge\nbreakwater_reach_tests_kept 11\n"))
      << text;
  for (auto [name, value] :
       {std::pair{"started", 12}, {"confirmed", 8}, {"expired", 1}, {"refused", 4}}) {
    std::string metric = fmt::format("breakwater_reach_tests_{}_total", name);
    EXPECT_TRUE(has(text, fmt::format("# HELP {} ", metric))) << metric;
    EXPECT_TRUE(has(text, fmt::format("# TYPE {} counter\n{} {}\n", metric, metric, value)))
        << text;
  }
}

}  // namespace
}  // namespace breakwater::app
