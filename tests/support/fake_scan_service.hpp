// A scan::service for page and route tests: scans are views the test writes, starts are
// recorded, refusals can be queued, and a scan's events are the ones the test scripts.
#pragma once

#include "probe/port_set.hpp"
#include "scan/service.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace breakwater::site::testing {

class fake_scan_service : public scan::service {
 public:
  struct started {
    scan::visitor who;
    scan::scan_order order;
  };

  boost::system::result<std::string, scan::refusal> start(const scan::visitor& who,
                                                          const scan::scan_order& order) override {
    if (next_refusal) {
      scan::refusal r = *next_refusal;
      next_refusal.reset();
      return r;
    }
    starts.push_back({who, order});
    std::string id = "scan" + std::to_string(starts.size());
    scan::scan_view v;
    v.id = id;
    v.target = who.address;
    v.kind = order.kind;
    v.ping = order.ping;
    v.upnp = order.upnp;
    std::string spec = order.ports;
    if (spec.empty()) {
      spec = order.kind == scan::scan_kind::service        ? "service"
             : order.kind == scan::scan_kind::file_sharing ? "file-sharing"
             : order.kind == scan::scan_kind::full         ? "all"
                                                           : "common";
    }
    auto set = probe::parse_port_set(spec);
    bool tcp = !(order.kind == scan::scan_kind::single && order.ports.empty());
    if (set && tcp && order.kind != scan::scan_kind::ping && order.kind != scan::scan_kind::upnp &&
        order.kind != scan::scan_kind::udp) {
      v.ports = *set;
    }
    std::string udp = order.kind == scan::scan_kind::udp ? "udp-common" : order.udp;
    if (auto u = probe::parse_port_set(udp); u && !udp.empty()) v.udp_ports = *u;
    v.started = std::chrono::system_clock::now();
    v.expires = v.started + std::chrono::minutes(30);
    scans[id] = v;
    return id;
  }

  // The view the test wrote.
  std::optional<scan::scan_snapshot> snapshot(std::string_view id,
                                              std::string_view address) const override {
    ++snapshots;
    auto it = scans.find(std::string(id));
    if (it == scans.end() || it->second.target != address) return std::nullopt;
    return scan::snapshot_of(it->second);
  }

  // As the real service: only a running scan can be cancelled.
  bool cancel(std::string_view id, std::string_view address) override {
    auto it = scans.find(std::string(id));
    if (it == scans.end() || it->second.target != address) return false;
    if (it->second.phase != scan::scan_phase::running) return false;
    cancelled.emplace_back(id);
    it->second.phase = scan::scan_phase::cancelled;
    return true;
  }

  // Hands over the scripted events of the scan at once (every scan gets `scripted_events`).
  boost::system::result<std::unique_ptr<scan::subscription>, scan::refusal> subscribe(
      std::string_view id, std::string_view address, std::uint64_t,
      std::function<void(const scan::scan_event&)> on_event, bool) override {
    if (scripted_events.empty() || !find(id, address)) {
      return scan::refusal{404, "not_found", "no events in the fake service", {}};
    }
    for (const scan::scan_event& e : scripted_events) on_event(e);
    return std::make_unique<scan::subscription>();
  }

  boost::system::result<std::chrono::milliseconds, scan::refusal> estimate(
      const scan::visitor&, const scan::scan_order& order) const override {
    if (estimate_refusal) return *estimate_refusal;
    return order.kind == scan::scan_kind::full ? std::chrono::milliseconds(720000)
                                               : std::chrono::milliseconds(4000);
  }

  std::map<std::string, scan::scan_view> scans;
  std::vector<started> starts;
  std::vector<std::string> cancelled;
  mutable std::size_t snapshots = 0;  // calls of snapshot() (and so of find())
  std::optional<scan::refusal> next_refusal;
  std::optional<scan::refusal> estimate_refusal;
  std::vector<scan::scan_event> scripted_events;
};

}  // namespace breakwater::site::testing
