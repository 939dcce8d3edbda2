#include "app/nat_report.hpp"

#include "common/cidr.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace breakwater::app {
namespace {

namespace json = boost::json;

std::string scope_text(const std::string& address) {
  auto ip = common::parse_ip(address);
  return ip ? std::string(common::to_string(common::scope_of(*ip))) : "unknown";
}

std::string_view hairpin_name(hairpin_state s) {
  switch (s) {
    case hairpin_state::works: return "works";
    case hairpin_state::fails: return "fails";
    case hairpin_state::not_tried: return "not-tried";
  }
  return "unknown";
}

std::string report_text(std::string_view name, const gateway_report& r) {
  if (!r.answered) return fmt::format("{}: no answer\n", name);
  if (r.wan_address) return fmt::format("{}: WAN address {}\n", name, *r.wan_address);
  return fmt::format("{}: answered but would not tell its WAN address ({})\n", name, r.refusal);
}

std::string mappings_text(const nat_evidence& e) {
  if (!e.upnp.answered) return {};
  if (e.mappings.empty()) return "UPnP port mappings: none\n";
  std::string out = "UPnP port mappings (these ports were opened by programs on your network):\n";
  for (const auto& m : e.mappings) {
    out += fmt::format("  {} {} -> {}:{}{}{}\n", m.protocol, m.external_port, m.internal_client,
                       m.internal_port, m.description.empty() ? "" : "  " + m.description,
                       m.enabled ? "" : " (disabled)");
  }
  return out;
}

std::string hops_text(const nat_evidence& e) {
  std::string out = "first hops toward the server:";
  for (const hop& h : e.hops) {
    out += h.address.empty() ? fmt::format(" {}:*", h.ttl)
                             : fmt::format(" {}:{} ({})", h.ttl, h.address, scope_text(h.address));
  }
  return out + (e.hops.empty() ? " none answered\n" : "\n");
}

std::string hairpin_text(const hairpin_result& h) {
  switch (h.state) {
    case hairpin_state::works:
      return fmt::format("hairpin NAT: works ({}:{} reached from inside)\n", h.address, h.port);
    case hairpin_state::fails:
      return fmt::format(
          "hairpin NAT: does not work for {}:{}: {}. Devices inside cannot "
          "reach your forwarded services by your public address; use their "
          "LAN address at home.\n",
          h.address, h.port, h.detail);
    case hairpin_state::not_tried: return fmt::format("hairpin NAT: not tested ({})\n", h.detail);
  }
  return {};
}

json::value report_json(const gateway_report& r) {
  json::object o{{"answered", r.answered}};
  if (r.wan_address) o["wan_address"] = *r.wan_address;
  if (!r.refusal.empty()) o["refusal"] = r.refusal;
  return o;
}

json::array mappings_json(const nat_evidence& e) {
  json::array a;
  for (const auto& m : e.mappings) {
    a.push_back({{"protocol", m.protocol},
                 {"external_port", m.external_port},
                 {"internal_client", m.internal_client},
                 {"internal_port", m.internal_port},
                 {"enabled", m.enabled},
                 {"description", m.description},
                 {"remote_host", m.remote_host},
                 {"lease_seconds", m.lease_seconds}});
  }
  return a;
}

json::array hops_json(const nat_evidence& e) {
  json::array a;
  for (const hop& h : e.hops) {
    json::object o{{"ttl", h.ttl}, {"destination", h.destination}};
    if (h.address.empty()) {
      o["address"] = nullptr;
    } else {
      o["address"] = h.address;
      o["scope"] = scope_text(h.address);
    }
    a.push_back(std::move(o));
  }
  return a;
}

json::value optional_text(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

std::string nat_text(const nat_evidence& e, const nat_diagnosis& d) {
  std::string out = fmt::format("{}\n{}\n\n", d.headline, d.advice);
  out += "why:\n";
  for (const auto& fact : d.evidence) out += fmt::format("  - {}\n", fact);
  out += fmt::format("gateway: {}{}\n", e.gateway.value_or("none (no IPv4 default route)"),
                     e.router_name.empty() ? "" : " (" + e.router_name + ")");
  if (e.gateway_v6) out += fmt::format("IPv6 gateway: {}\n", *e.gateway_v6);
  out += fmt::format("this machine: {}\n", e.local_address.empty() ? "unknown" : e.local_address);
  out += fmt::format("the server saw: {}\n", e.server_saw.value_or("nothing (no answer)"));
  if (e.server_saw_v6) out += fmt::format("the server saw over IPv6: {}\n", *e.server_saw_v6);
  out += report_text("UPnP IGD", e.upnp) + report_text("NAT-PMP", e.nat_pmp);
  out += mappings_text(e) + hops_text(e) + hairpin_text(e.hairpin);
  return out;
}

json::value nat_json(const nat_evidence& e, const nat_diagnosis& d) {
  json::array facts;
  for (const auto& fact : d.evidence) facts.emplace_back(fact);
  return {{"diagnosis", to_string(d.kind)},
          {"headline", d.headline},
          {"advice", d.advice},
          {"evidence", std::move(facts)},
          {"gateway", {{"ipv4", optional_text(e.gateway)}, {"ipv6", optional_text(e.gateway_v6)}}},
          {"router", e.router_name},
          {"local_address", e.local_address},
          {"server_saw",
           {{"ipv4", optional_text(e.server_saw)}, {"ipv6", optional_text(e.server_saw_v6)}}},
          {"upnp", report_json(e.upnp)},
          {"nat_pmp", report_json(e.nat_pmp)},
          {"mappings", mappings_json(e)},
          {"hops", hops_json(e)},
          {"hairpin",
           {{"state", hairpin_name(e.hairpin.state)},
            {"address", e.hairpin.address},
            {"port", e.hairpin.port},
            {"detail", e.hairpin.detail}}}};
}

}  // namespace breakwater::app
