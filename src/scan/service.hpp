// What the web layer asks of the scan service: start, watch, cancel and check scans of the
// visitor's own address. Asio-free, so pages and their tests can use a fake.
#pragma once

#include "scan/scan_view.hpp"
#include "scan/verdict_order.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::scan {

// The one party a scan may target: the client of the HTTP connection, after trusted-proxy
// resolution. Nothing a visitor sends can set these fields.
struct visitor {
  std::string address;       // normalised: an IPv4-mapped IPv6 address is IPv4
  std::uint32_t rtt_us = 0;  // TCP_INFO smoothed RTT of the visitor's connection; 0: unknown
};

// What the visitor chose.
struct scan_order {
  scan_kind kind = scan_kind::common;
  std::string ports;  // for single and custom: the spec as typed (same parser as the CLI)
  // UDP ports beside them, in the same grammar ("udp-common", "53,123"); for single, its one
  // port may be UDP instead of TCP (or both, the same port).
  std::string udp;
  bool ping = false;  // also send ICMP echo requests
  bool upnp = false;  // also send SSDP M-SEARCH to UDP 1900
};

// Why a scan was not started: an HTTP status (400 bad spec, 403 target not allowed,
// 429 over a limit, 503 shutting down), a stable code for the API and a sentence for people.
struct refusal {
  unsigned status = 400;
  std::string code;     // "bad_ports", "target_not_allowed", "scan_running", "budget", "busy"
  std::string message;  // what was wrong and what to do
  std::chrono::seconds retry_after{0};  // with 429 and 503
};

// One step of a running scan, ready for a server-sent event: `data` is JSON.
struct scan_event {
  std::uint64_t sequence = 0;  // 1, 2, ... per scan; resume with the last one seen
  std::string name;            // "verdict", "ping", "upnp", "done"
  std::string data;
};

// Ends the subscription when destroyed (from any thread).
class subscription {
 public:
  virtual ~subscription() = default;
  // A paced subscription hands over at most a batch of events, then waits for this call
  // (the consumer has taken the batch): one that stops reading holds two batches (the one
  // being sent and the next), not a scan.
  virtual void resume() {}
};

// A scan as it stands, its verdicts left where the service keeps them: `view` has none
// (view.result.ports and .udp are empty; view.decided counts them), `verdicts` reads them.
struct scan_snapshot {
  scan_view view;
  verdict_order verdicts;
};

// The snapshot of a view that holds its verdicts itself (view.result.ports and .udp), as
// tests build them. `decided` is left as it was.
inline scan_snapshot snapshot_of(scan_view v) {
  verdict_list list = std::move(v.result.ports);
  list.insert(list.end(), v.result.udp.begin(), v.result.udp.end());
  v.result.ports.clear();
  v.result.udp.clear();
  auto packed = std::make_shared<const compact_verdicts>(list, list.size());
  return scan_snapshot{std::move(v), verdict_order(std::move(packed))};
}

// Events handed over per resume() of a paced subscription.
inline constexpr std::size_t event_batch = 256;

class service {
 public:
  virtual ~service() = default;

  // Starts a scan of `who.address`, or says why not. Returns the new scan's id.
  virtual boost::system::result<std::string, refusal> start(const visitor& who,
                                                            const scan_order& order) = 0;

  // The scan as it stands, when it exists, has not expired and belongs to `address`. Counts
  // as watching it. For answers that read a large result a slice at a time.
  virtual std::optional<scan_snapshot> snapshot(std::string_view id,
                                                std::string_view address) const = 0;

  // The same, with every verdict copied into the view (for answers built whole).
  std::optional<scan_view> find(std::string_view id, std::string_view address) const {
    auto s = snapshot(id, address);
    if (!s) return std::nullopt;
    s->verdicts.put_into(s->view.result);
    return std::move(s->view);
  }

  // Stops a running scan of `address`; false when there is no such scan.
  virtual bool cancel(std::string_view id, std::string_view address) = 0;

  // Calls `on_event` for every event after `after`, those already past first; the last
  // event of a scan is "done". Calls come from a service thread, or from the thread that
  // calls resume(), with a service lock held: only hand the event on. A paced subscription
  // starts paused: nothing comes before the first resume(). Refused with 404 "not_found"
  // when the scan is not visible, 429 "too_many_streams" over the per-scan or per-holder
  // limit of open subscriptions.
  virtual boost::system::result<std::unique_ptr<subscription>, refusal> subscribe(
      std::string_view id, std::string_view address, std::uint64_t after,
      std::function<void(const scan_event&)> on_event, bool paced = false) = 0;

  // How long `order` would take for this visitor (shown before a full-range scan starts).
  virtual boost::system::result<std::chrono::milliseconds, refusal> estimate(
      const visitor& who, const scan_order& order) const = 0;
};

}  // namespace breakwater::scan
