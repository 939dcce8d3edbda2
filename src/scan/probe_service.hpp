// The scan service that really probes (and sends the reach tests' packets): its own thread and
// io_context running one probe engine. A scan is planned (plan.hpp), admitted (admission.hpp:
// target policy, pools, budgets), registered (registry.hpp: kept for a while, then forgotten) and
// handed to the engine; its events reach subscribers through subscribers.hpp. The header stays free
// of Asio: the web core includes it.
#pragma once

#include "probe/reach.hpp"
#include "scan/reach.hpp"
#include "scan/service.hpp"
#include "scan/settings.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace breakwater::probe {
class prober;
}

namespace breakwater::scan {

// The [scan] settings plus what only the running service needs. The defaults are written
// in scan::settings; the service reads its own `allow_loopback` below, never the settings'
// unresolved one, and ignores `enabled` (the caller decides whether to run it at all).
struct probe_service_options {
  scan::settings settings;
  bool allow_loopback = false;                 // may 127.0.0.1 / ::1 be probed ("auto" resolved)
  unsigned tries = 2;                          // tries per port before it is called stealth
  std::size_t max_streams_per_scan = 4;        // event streams open on one scan
  std::size_t max_streams_per_holder = 8;      // event streams open by one holder
  std::shared_ptr<probe::prober> backend;      // tests: a fake target; else settings.prober's
  std::shared_ptr<probe::prober> udp_backend;  // tests: a fake target; else the UDP prober
  probe::reach_send_options reach_sending;     // how the reach tests' packets are spaced
};

// Counters for /metrics.
struct service_stats {
  std::size_t running = 0;         // scans and single-port checks
  std::size_t running_checks = 0;  // of which single-port checks
  std::size_t kept = 0;            // scans in memory, running or finished
  std::size_t kept_bytes = 0;      // the memory they hold (counted against max_kept_mib)
  std::uint64_t started = 0;
  std::uint64_t refused = 0;
  std::uint64_t probes_sent = 0;  // ports decided, all scans since start
  // Reach tests: open now (sending or sent), in memory; since start: started, confirmed,
  // expired unconfirmed, refused by a limit (open tests, the budget; not the target policy).
  std::size_t reach_open = 0;
  std::size_t reach_kept = 0;
  std::uint64_t reach_started = 0;
  std::uint64_t reach_confirmed = 0;
  std::uint64_t reach_expired = 0;
  std::uint64_t reach_refused = 0;
};

// Scans and reach tests share the thread, the lock and the budgets (scan/admission).
class probe_service final : public service, public reach_service {
 public:
  // Throws std::runtime_error when the chosen prober cannot be opened (raw without privilege).
  explicit probe_service(probe_service_options options = {});
  ~probe_service() override;  // cancels every scan and joins the thread
  probe_service(const probe_service&) = delete;
  probe_service& operator=(const probe_service&) = delete;

  boost::system::result<std::string, refusal> start(const visitor& who,
                                                    const scan_order& order) override;
  std::optional<scan_snapshot> snapshot(std::string_view id,
                                        std::string_view address) const override;
  bool cancel(std::string_view id, std::string_view address) override;
  boost::system::result<std::unique_ptr<subscription>, refusal> subscribe(
      std::string_view id, std::string_view address, std::uint64_t after,
      std::function<void(const scan_event&)> on_event, bool paced = false) override;
  boost::system::result<std::chrono::milliseconds, refusal> estimate(
      const visitor& who, const scan_order& order) const override;

  // Reach tests (probe_service_reach.cpp).
  boost::system::result<reach_ticket, refusal> open_reach(const visitor& who,
                                                          const reach_order& order) override;
  boost::system::result<reach_view, refusal> find_reach(std::string_view id, std::string_view token,
                                                        std::string_view address) override;
  boost::system::result<reach_confirmation, refusal> confirm_reach(std::string_view id,
                                                                   std::string_view token,
                                                                   std::string_view address,
                                                                   std::string_view nonce) override;

  service_stats stats() const;
  // The prober scans use (raw_syn or connect) and, when "auto" fell back to connect(), why
  // raw sockets could not be opened (empty otherwise): stated once in the log at start.
  probe::backend_kind prober() const;
  const std::string& prober_fallback_reason() const;

 private:
  struct core;
  std::shared_ptr<core> core_;
};

// 128 random bits from OpenSSL, base64url without padding (22 characters).
std::string new_scan_id();

}  // namespace breakwater::scan
