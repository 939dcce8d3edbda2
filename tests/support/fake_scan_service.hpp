// A scan::service for page and route tests: scans are views the test writes, starts are
// recorded, and refusals can be queued.
#pragma once

#include "probe/port_set.hpp"
#include "scan/service.hpp"

#include <map>
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
    if (set && order.kind != scan::scan_kind::ping && order.kind != scan::scan_kind::upnp) {
      v.ports = *set;
    }
    v.started = std::chrono::system_clock::now();
    v.expires = v.started + std::chrono::minutes(30);
    scans[id] = v;
    return id;
  }

  std::optional<scan::scan_view> find(std::string_view id,
                                      std::string_view address) const override {
    auto it = scans.find(std::string(id));
    if (it == scans.end() || it->second.target != address) return std::nullopt;
    return it->second;
  }

  bool cancel(std::string_view id, std::string_view address) override {
    auto it = scans.find(std::string(id));
    if (it == scans.end() || it->second.target != address) return false;
    cancelled.emplace_back(id);
    it->second.phase = scan::scan_phase::cancelled;
    return true;
  }

  boost::system::result<std::unique_ptr<scan::subscription>, scan::refusal> subscribe(
      std::string_view, std::string_view, std::uint64_t,
      std::function<void(const scan::scan_event&)>, bool) override {
    return scan::refusal{404, "not_found", "no events in the fake service", {}};
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
  std::optional<scan::refusal> next_refusal;
  std::optional<scan::refusal> estimate_refusal;
};

}  // namespace breakwater::site::testing
