// The scan plan: what a scan kind means. From a visitor's order, the ports to probe, the
// extra probes, the pace and the pool a scan runs in, or why it cannot run. Every place that
// needs a rule of a kind (the service, the JSON API, the scan form) asks here. Asio-free.
#pragma once

#include "probe/port_set.hpp"
#include "scan/service.hpp"
#include "scan/settings.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::scan {

// Over this many ports a scan runs at full_range_rate, whatever its kind: the pace follows
// the size, so a custom "1-65535" is paced like the full range.
inline constexpr std::size_t large_scan_ports = 4096;

enum class scan_pace {
  visitor,     // settings::scan_rate
  full_range,  // settings::full_range_rate: more than large_scan_ports ports
};

struct scan_plan {
  probe::port_set ports;      // TCP; empty for the ping, UPnP and UDP tests
  probe::port_set udp_ports;  // UDP: the UDP test's set, or what the order adds
  bool ping = false;          // ICMP echo requests
  bool upnp = false;          // SSDP M-SEARCH to UDP 1900
  bool check = false;         // a single-port check: runs in its own pool
  scan_pace pace = scan_pace::visitor;
  std::string_view set_name;  // the named set behind the kind; empty when typed or none

  // What the scan costs from the visitor's probe budget: one per port of either transport,
  // ping and UPnP.
  std::size_t probes() const noexcept {
    return ports.size() + udp_ports.size() + (ping ? 1 : 0) + (upnp ? 1 : 0);
  }
};

// Why an order has no plan. The service and the API answer `said` (400 "bad_ports"); the
// scan form words the problem its own way.
enum class plan_problem { no_ports, bad_spec, not_one_port };
struct plan_refusal {
  plan_problem problem = plan_problem::bad_spec;
  refusal said;
};

boost::system::result<scan_plan, plan_refusal> plan_of(const scan_order& order);

// "common", "service", "file-sharing" or "all" (probe::parse_port_set's names); empty for
// the kinds whose ports are typed (single, custom) or that have none (ping, upnp).
std::string_view set_name(scan_kind k) noexcept;

// The kind whose whole set `spec` names exactly: a set name, "0-1055" or "0-65535".
std::optional<scan_kind> kind_named(std::string_view spec) noexcept;

// Whether the visitor types the ports (single, custom).
bool typed_ports(scan_kind k) noexcept;

// Whether the visitor may add ping and UPnP (and UDP ports) to the kind: not to a single-port
// check, and not to the ping, UPnP and UDP tests, which are tests of their own.
bool takes_extras(scan_kind k) noexcept;

// Whether an order of the kind may name UDP ports ("udp"): the kinds that take extras, and a
// single-port check (its one port, for UDP). The UDP test has its own set.
bool takes_udp_ports(scan_kind k) noexcept;

// New probes per second for the plan's pace, before the service-wide max_rate.
double rate_of(scan_pace pace, const settings& s) noexcept;

// How long the plan takes for a visitor with this RTT (0: unknown), each port tried up to
// `tries` times: shown before a scan starts and while it runs.
std::chrono::milliseconds estimate_of(const scan_plan& plan, const settings& s, unsigned tries,
                                      std::uint32_t rtt_us) noexcept;

}  // namespace breakwater::scan
