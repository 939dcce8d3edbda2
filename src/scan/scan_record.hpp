// One scan as the service keeps it: its view, the verdicts in the order they were decided,
// the events after them, who is charged for it and who is watching. Every member is read
// and written under the service's lock, except as `decided` says. Asio-free.
#pragma once

#include "probe/error.hpp"
#include "probe/verdict.hpp"
#include "scan/compact_verdicts.hpp"
#include "scan/plan.hpp"
#include "scan/scan_view.hpp"
#include "scan/service.hpp"
#include "scan/verdict_order.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace breakwater::scan {

using steady = std::chrono::steady_clock;
using probe_outcome = boost::system::result<probe::scan_result, probe::failure>;

// Who a scan is charged to and which pool it runs in.
struct claim {
  std::string address;  // the visitor's, normalised
  std::string holder;   // common::holder_of(): an IPv4 address or an IPv6 /64
  std::string wide;     // the IPv6 /48 ("" for IPv4)
  bool check = false;   // a single-port check: its own pool
  std::size_t probes = 0;
};

// An open event stream on one scan.
struct subscriber {
  std::uint64_t id = 0;
  std::size_t cursor = 0;  // index of the next event to hand over
  std::function<void(const scan_event&)> on_event;
  bool paced = false;
  std::size_t credit = 0;  // paced: events it may still get before the next resume()
};

struct scan_record {
  scan_view view;  // view.result.ports and .udp stay empty: the verdicts are in `decided`
  bool v6 = false;
  claim who;
  // Verdicts in the order they were decided, which is also the order of their events.
  // Reserved for every port of the scan and only appended to: a reader that took the
  // pointer and a count under the lock (take_verdicts) may read that many elements without
  // it. Should capacity run out, a bigger copy replaces the vector (readers keep the old one
  // alive). When the scan ends they move to `packed` and this list is left empty.
  std::shared_ptr<verdict_list> decided = std::make_shared<verdict_list>();
  std::shared_ptr<const compact_verdicts> packed;  // the verdicts once the scan ended
  // Their view order, made once when the scan ended: every reader after shares it.
  std::optional<verdict_order> order;
  std::vector<scan_event> tail;  // ping, upnp and done, after the verdicts
  std::vector<subscriber> subscribers;
  std::stop_source stop;
  steady::time_point last_watched;
  steady::time_point expires;
  bool idle_cancelled = false;
  std::size_t counted_bytes = 0;  // the memory the registry counts for it (scan/kept_bytes)

  std::size_t verdict_count() const noexcept { return packed ? packed->size() : decided->size(); }
  std::size_t event_count() const noexcept { return verdict_count() + tail.size(); }
  // Under the lock: what a reader needs to read the verdicts decided so far after it.
  verdicts_taken take_verdicts() const;
  // The event at 0-based `index`: verdicts are formatted when handed over, not kept.
  scan_event event_at(std::size_t index) const;
  void add_verdict(const probe::port_result& p);
  // Records how the scan ended and appends its last events (ping, upnp, done).
  void conclude(probe_outcome out);
  // Ports charged to the budget but never sent a try (a cancelled scan). A scan that could
  // not run at all (no result) is refunded whole: its failure is the server's.
  std::size_t unsent() const noexcept;

 private:
  void add_event(std::string name, std::string data);
};

// A new, running scan `id` of `who.address` as `plan` says, charged to `c`, kept for `keep`
// from now.
std::shared_ptr<scan_record> new_record(std::string id, const visitor& who, scan_kind kind,
                                        const scan_plan& plan, claim c, std::chrono::seconds keep,
                                        std::chrono::milliseconds estimate);

}  // namespace breakwater::scan
