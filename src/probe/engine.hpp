// The probe engine: one per process, many scans at once, each of one address and a port set,
// with shared pacing, per-verdict progress and cancellation.
#pragma once

#include "probe/detail/icmp_limit_model.hpp"
#include "probe/detail/rtt_estimator.hpp"
#include "probe/error.hpp"
#include "probe/port_set.hpp"
#include "probe/prober.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/result.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace breakwater::probe {

// Before the first answer a port has two tries out (the hedge): room for twice the 0-1055 scan.
inline constexpr std::size_t min_scan_in_flight = 4096;

struct scan_options {
  unsigned tries = 2;                // tries per port before it is called stealth (1-10)
  std::optional<duration> rtt_seed;  // e.g. from TCP_INFO of the visitor's own connection
  rto_limits rto;                    // initial timeout, floor and ceiling
  double rate = 6000;                // new probes per second to this target
  // Probes out at once to this target; 0: enough to keep `rate` while every try waits the
  // initial timeout with its hedged retry out too (rate x initial x 2), and no fewer than
  // min_scan_in_flight. The engine's max_in_flight bounds it in any case.
  std::size_t max_in_flight = 0;
  // Longest extra time spent re-probing silent ports when the target rate-limits ICMP errors.
  duration recheck_budget = std::chrono::seconds(20);
  icmp_limit target_icmp_limit;  // what the target's limiter is assumed to allow at least
  bool ping = false;             // also send ICMP echo requests
  bool upnp = false;             // also send SSDP M-SEARCH to UDP 1900
};

// The tries a scan with `o` may have out at once (before the engine-wide bound).
std::size_t scan_in_flight_cap(const scan_options& o) noexcept;

struct scan_progress {
  std::size_t decided = 0;
  std::size_t total = 0;
};

struct scan_request {
  boost::asio::ip::address target;
  port_set ports;      // TCP
  port_set udp_ports;  // UDP: each port's protocol request (probe/wire/udp)
  scan_options options;
  // Called on the engine's executor as each port is decided.
  std::function<void(const port_result&, const scan_progress&)> on_verdict;
  // Cancels the scan; it then completes soon with the verdicts so far (cancelled = true).
  // Terminal Asio cancellation of the awaiting coroutine does the same.
  std::stop_token stop;
};

struct engine_options {
  std::size_t max_in_flight = 16384;      // for all scans together; also kept under RLIMIT_NOFILE
  double max_rate = 20000;                // new probes per second, all scans together
  std::shared_ptr<prober> backend{};      // TCP; default: tcp_connect_prober
  std::shared_ptr<prober> udp_backend{};  // default: udp_prober
};

// Throws nothing at the edges: results or failures. Use from one thread (or one strand).
class engine {
 public:
  explicit engine(boost::asio::any_io_executor ex, engine_options options = {});
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Fails (with the step that failed) only when the scan could not run: a bad target, no
  // route, no permission. Silent ports are never an error.
  boost::asio::awaitable<boost::system::result<scan_result, failure>> scan(scan_request request);

  // How much of `target`'s ICMP error limit this engine's scans left, until it has refilled
  // (Linux: 6 s). The next scan of that address starts from it, not from a full bucket; a new
  // process can hand it over from the last one.
  std::optional<icmp_bucket> icmp_history(const boost::asio::ip::address& target) const;
  void set_icmp_history(const boost::asio::ip::address& target, icmp_bucket bucket);

  std::size_t in_flight() const noexcept;
  std::size_t active_scans() const noexcept;
  std::size_t max_in_flight() const noexcept;

  struct state;

 private:
  std::shared_ptr<state> state_;
};

// boost::system::result calls this when value() is used on a failure.
[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

}  // namespace breakwater::probe
