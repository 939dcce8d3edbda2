#include "scan/plan.hpp"

#include "scan/scan_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace breakwater::scan {
namespace {

struct named_set {
  scan_kind kind;
  std::string_view name;   // probe::parse_port_set's name of the set
  std::string_view range;  // the same set written as a range ("" when it is no range)
};

constexpr std::array<named_set, 4> named_sets{{
    {scan_kind::common, "common", ""},
    {scan_kind::service, "service", "0-1055"},
    {scan_kind::file_sharing, "file-sharing", ""},
    {scan_kind::full, "all", "0-65535"},
}};

plan_refusal bad_ports(plan_problem problem, std::string message) {
  return {problem, refusal{400, "bad_ports", std::move(message), {}}};
}

// The UDP ports an order adds (`udp`), or why they cannot be probed.
boost::system::result<probe::port_set, plan_refusal> udp_set(const scan_order& order) {
  if (order.udp.empty()) return probe::port_set{};
  auto parsed = probe::parse_port_set(order.udp);
  if (!parsed) return bad_ports(plan_problem::bad_spec, "UDP ports: " + parsed.error().message);
  // Linux refuses to send a datagram to port 0 (EINVAL), and nothing can listen there.
  if (parsed->contains(0)) {
    return bad_ports(plan_problem::bad_spec,
                     "UDP port 0 cannot be probed: no datagram can be sent to it. Leave it out "
                     "(\"1-65535\" for every UDP port).");
  }
  return *parsed;
}

// The TCP ports a typed order gives, or why they cannot be probed. An order may type UDP
// ports only.
boost::system::result<probe::port_set, plan_refusal> typed_set(const scan_order& order) {
  if (order.ports.empty() && !order.udp.empty()) return probe::port_set{};
  if (order.ports.empty()) {
    return bad_ports(plan_problem::no_ports,
                     "No ports were given: enter a port such as 443 or a list such as "
                     "\"21-23,80,443\".");
  }
  auto parsed = probe::parse_port_set(order.ports);
  if (!parsed) return bad_ports(plan_problem::bad_spec, parsed.error().message);
  if (order.kind == scan_kind::single && parsed->size() != 1) {
    return bad_ports(plan_problem::not_one_port,
                     "Give exactly one port (0-65535) for a single-port check.");
  }
  return *parsed;
}

// What an order gives that its kind has no use for: refused, not dropped, or the visitor
// would get another test than the one asked for ({"kind":"ping","udp":"53"} probing no UDP).
std::optional<plan_refusal> unused_fields(const scan_order& order) {
  const std::string_view kind = to_string(order.kind);
  if (!typed_ports(order.kind) && !order.ports.empty() &&
      kind_named(order.ports) != std::optional(order.kind)) {
    return bad_ports(plan_problem::bad_spec,
                     fmt::format("A \"{}\" test probes its own ports: leave \"ports\" out, or "
                                 "ask for kind \"custom\" with them.",
                                 kind));
  }
  const bool udp_test = order.kind == scan_kind::udp;
  if (!order.udp.empty() && !takes_udp_ports(order.kind) &&
      !(udp_test && order.udp == "udp-common")) {
    return bad_ports(plan_problem::bad_spec,
                     fmt::format("A \"{}\" test takes no UDP ports of yours: leave \"udp\" out, "
                                 "or ask for them alone, e.g. {{\"udp\":\"53,123\"}}.",
                                 kind));
  }
  // The ping and UPnP tests name themselves (the scan form sets their flag too).
  const bool extra_ping = order.ping && order.kind != scan_kind::ping;
  const bool extra_upnp = order.upnp && order.kind != scan_kind::upnp;
  if ((extra_ping || extra_upnp) && !takes_extras(order.kind)) {
    return bad_ports(plan_problem::bad_spec,
                     fmt::format("A \"{}\" test is a test of its own: leave \"ping\" and \"upnp\" "
                                 "out, or ask for them with kind \"custom\" or a port set.",
                                 kind));
  }
  return std::nullopt;
}

}  // namespace

std::string_view set_name(scan_kind k) noexcept {
  for (const auto& s : named_sets) {
    if (s.kind == k) return s.name;
  }
  return {};
}

std::optional<scan_kind> kind_named(std::string_view spec) noexcept {
  for (const auto& s : named_sets) {
    if (spec == s.name || (!s.range.empty() && spec == s.range)) return s.kind;
  }
  return std::nullopt;
}

bool typed_ports(scan_kind k) noexcept { return k == scan_kind::single || k == scan_kind::custom; }

bool takes_extras(scan_kind k) noexcept {
  return k != scan_kind::ping && k != scan_kind::upnp && k != scan_kind::single &&
         k != scan_kind::udp;
}

bool takes_udp_ports(scan_kind k) noexcept { return takes_extras(k) || k == scan_kind::single; }

boost::system::result<scan_plan, plan_refusal> plan_of(const scan_order& order) {
  if (auto no = unused_fields(order)) return *no;
  scan_plan plan;
  plan.set_name = set_name(order.kind);
  if (typed_ports(order.kind)) {
    auto typed = typed_set(order);
    if (!typed) return typed.error();
    plan.ports = std::move(*typed);
  } else if (!plan.set_name.empty()) {
    plan.ports = *probe::parse_port_set(plan.set_name);  // the names always parse
  }
  if (order.kind == scan_kind::udp) {
    plan.udp_ports = *probe::parse_port_set("udp-common");
  } else if (takes_udp_ports(order.kind)) {
    auto udp = udp_set(order);
    if (!udp) return udp.error();
    plan.udp_ports = std::move(*udp);
  }
  if (order.kind == scan_kind::single) {
    bool one_each = plan.ports.size() <= 1 && plan.udp_ports.size() <= 1 &&
                    !(plan.ports.empty() && plan.udp_ports.empty());
    bool same_port = plan.ports.empty() || plan.udp_ports.empty() ||
                     plan.ports.ports().front() == plan.udp_ports.ports().front();
    if (!one_each || !same_port) {
      return bad_ports(plan_problem::not_one_port,
                       "Give exactly one port (0-65535) for a single-port check, for TCP, UDP "
                       "or both.");
    }
  }
  plan.ping = order.kind == scan_kind::ping || order.ping;
  plan.upnp = order.kind == scan_kind::upnp || order.upnp;
  plan.check = order.kind == scan_kind::single;
  plan.pace = plan.ports.size() + plan.udp_ports.size() > large_scan_ports ? scan_pace::full_range
                                                                           : scan_pace::visitor;
  return plan;
}

double rate_of(scan_pace pace, const settings& s) noexcept {
  return static_cast<double>(pace == scan_pace::full_range ? s.full_range_rate : s.scan_rate);
}

std::chrono::milliseconds estimate_of(const scan_plan& plan, const settings& s, unsigned tries,
                                      std::uint32_t rtt_us) noexcept {
  double rate = std::max(1.0, std::min(rate_of(plan.pace, s), static_cast<double>(s.max_rate)));
  // The timeout of a first try (RFC 6298 from the seeded RTT, else 1 s), then doubling.
  double rto_ms = rtt_us > 0 ? std::clamp(3.0 * rtt_us / 1000.0, 100.0, 3000.0) : 1000.0;
  double wait_ms = rto_ms * ((1u << std::clamp(tries, 1u, 10u)) - 1);
  double total =
      static_cast<double>(plan.ports.size() + plan.udp_ports.size()) * 1000.0 / rate + wait_ms;
  if (plan.ping || plan.upnp) total = std::max(total, 3000.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

}  // namespace breakwater::scan
