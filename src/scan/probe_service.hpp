// The scan service that really probes: its own thread and io_context running one probe
// engine, a registry of scans (kept in memory for a while, then forgotten), fair-use limits
// and the target policy. The header stays free of Asio: the web core includes it.
#pragma once

#include "probe/backend_kind.hpp"
#include "scan/service.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace breakwater::probe {
class prober;
}

namespace breakwater::scan {

struct probe_service_options {
  std::chrono::seconds keep_results{30 * 60};  // a scan is forgotten this long after it started
  // A running scan nobody watches (no event stream open, no GET) this long is cancelled.
  std::chrono::seconds idle_cancel{20};
  std::size_t max_running = 32;         // scans running at once, all visitors together
  std::size_t max_running_checks = 16;  // single-port checks at once, apart from scans
  // Scans (checks included) running at once per holder: an IPv4 address or an IPv6 /64;
  // an IPv6 /48 may run 4x as many (the same factor applies to its probe budget).
  std::size_t max_running_per_holder = 1;
  std::size_t max_kept = 20'000;           // results in memory, all visitors (oldest go first)
  std::size_t max_kept_per_holder = 64;    // the same per holder
  std::size_t max_streams_per_scan = 4;    // event streams open on one scan
  std::size_t max_streams_per_holder = 8;  // event streams open by one holder
  std::size_t probes_per_hour = 200'000;   // per holder (a full range is 65,536)
  double max_rate = 20'000;                // new probes per second, all scans together
  double scan_rate = 3'000;                // new probes per second to one visitor
  double full_range_rate = 1'000;          // the same for any scan of over 4,096 ports
  std::size_t max_in_flight = 16'384;      // probes out at once, all scans together
  unsigned tries = 2;                      // tries per port before it is called stealth
  bool allow_loopback = false;             // may 127.0.0.1 / ::1 be probed
  probe::backend_kind prober = probe::backend_kind::automatic;  // without `backend`
  std::shared_ptr<probe::prober> backend;                       // tests: a fake target
};

// Counters for /metrics.
struct service_stats {
  std::size_t running = 0;         // scans and single-port checks
  std::size_t running_checks = 0;  // of which single-port checks
  std::size_t kept = 0;            // scans in memory, running or finished
  std::uint64_t started = 0;
  std::uint64_t refused = 0;
  std::uint64_t probes_sent = 0;  // ports decided, all scans since start
};

class probe_service final : public service {
 public:
  // Throws std::runtime_error when the chosen prober cannot be opened (raw without privilege).
  explicit probe_service(probe_service_options options = {});
  ~probe_service() override;  // cancels every scan and joins the thread
  probe_service(const probe_service&) = delete;
  probe_service& operator=(const probe_service&) = delete;

  boost::system::result<std::string, refusal> start(const visitor& who,
                                                    const scan_order& order) override;
  std::optional<scan_view> find(std::string_view id, std::string_view address) const override;
  bool cancel(std::string_view id, std::string_view address) override;
  boost::system::result<std::unique_ptr<subscription>, refusal> subscribe(
      std::string_view id, std::string_view address, std::uint64_t after,
      std::function<void(const scan_event&)> on_event, bool paced = false) override;
  boost::system::result<std::chrono::milliseconds, refusal> estimate(
      const visitor& who, const scan_order& order) const override;

  service_stats stats() const;

  struct core;

 private:
  std::shared_ptr<core> core_;
};

// 128 random bits from OpenSSL, base64url without padding (22 characters).
std::string new_scan_id();

}  // namespace breakwater::scan
