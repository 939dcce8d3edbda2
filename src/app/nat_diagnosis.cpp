#include "app/nat_diagnosis.hpp"

#include "common/cidr.hpp"

#include <fmt/format.h>

namespace breakwater::app {
namespace {

using common::address_scope;

constexpr std::string_view no_forwarding =
    "Forwarding on your router cannot make you reachable over IPv4; use IPv6, or ask your ISP "
    "for a public address.";

std::optional<address_scope> scope_of_text(std::string_view address) {
  auto ip = common::parse_ip(address);
  if (!ip) return std::nullopt;
  return common::scope_of(*ip);
}

bool is_global(std::string_view address) { return scope_of_text(address) == address_scope::global; }

// The TTL of the gateway's own hop: hops after it are beyond the home network.
unsigned gateway_ttl(const nat_evidence& e) {
  for (const hop& h : e.hops) {
    if (e.gateway && h.address == *e.gateway) return h.ttl;
  }
  return 1;
}

std::optional<std::string> router_wan(const nat_evidence& e) {
  if (e.upnp.wan_address) return e.upnp.wan_address;
  return e.nat_pmp.wan_address;
}

std::string ipv6_note(const nat_evidence& e) {
  if (!e.server_saw_v6) return {};
  return fmt::format(
      " Over IPv6 the server saw your address {}: IPv6 needs no forwarding; open the port in "
      "your router's IPv6 firewall instead.",
      *e.server_saw_v6);
}

nat_diagnosis carrier_grade(const nat_evidence& e, std::string why) {
  return {nat_case::carrier_grade_nat,
          "Carrier-grade NAT: your ISP shares one public IPv4 address among many customers.",
          std::string(no_forwarding) + ipv6_note(e),
          {std::move(why)}};
}

nat_diagnosis double_nat(const nat_evidence& e, std::string why) {
  return {nat_case::double_nat,
          "Double NAT: another router translates addresses between your router and the "
          "internet.",
          std::string(no_forwarding) +
              " If that other router is your own (an ISP box in front of yours), put it in "
              "bridge or modem mode, or forward the port on it too, to your router's WAN "
              "address." +
              ipv6_note(e),
          {std::move(why)}};
}

nat_diagnosis from_hop(const nat_evidence& e, const hop& h, std::string_view prefix) {
  if (scope_of_text(h.address) == address_scope::shared)
    return carrier_grade(e, fmt::format("{}hop {} toward the server is {}, in 100.64.0.0/10: the "
                                        "ISP's NAT",
                                        prefix, h.ttl, h.address));
  return double_nat(e, fmt::format("{}hop {} toward the server is {}, a private address beyond "
                                   "your router: a second NAT",
                                   prefix, h.ttl, h.address));
}

nat_diagnosis public_router(std::string why) {
  return {nat_case::public_router,
          "Your router has a public IPv4 address: port forwarding on it can work.",
          "Forward the port on your router (or let a program open it with UPnP or NAT-PMP), "
          "then test it with the server's port check.",
          {std::move(why)}};
}

// The router told its WAN address: that decides, with the hops to tell CGNAT from double NAT.
nat_diagnosis from_router_wan(const nat_evidence& e, const std::string& wan) {
  auto beyond = nat_hop_beyond_gateway(e);
  auto scope = scope_of_text(wan);
  std::string said = fmt::format("your router says its WAN address is {}", wan);
  if (scope == address_scope::shared)
    return carrier_grade(e, said + ", in 100.64.0.0/10 (RFC 6598, carrier-grade NAT's space)");
  if (scope != address_scope::global) {
    if (beyond) return from_hop(e, *beyond, said + ", a private address; ");
    return double_nat(e, said + ", a private address: something translates again beyond it");
  }
  if (e.server_saw && *e.server_saw != wan) {
    std::string why =
        fmt::format("{}, but the server saw {}: another NAT is beyond it", said, *e.server_saw);
    if (beyond) return from_hop(e, *beyond, why + "; ");
    return double_nat(e, why);
  }
  return public_router(e.server_saw ? said + ", the address the server saw" : said);
}

std::string refusal_text(const nat_evidence& e) {
  std::string text;
  if (!e.upnp.refusal.empty()) text += fmt::format("UPnP: {}", e.upnp.refusal);
  if (!e.nat_pmp.refusal.empty())
    text += fmt::format("{}NAT-PMP: {}", text.empty() ? "" : "; ", e.nat_pmp.refusal);
  return text;
}

// The first hop beyond the gateway that answered, when it is public.
std::optional<hop> public_hop_beyond_gateway(const nat_evidence& e) {
  unsigned after = gateway_ttl(e);
  for (const hop& h : e.hops) {
    if (h.ttl > after && !h.address.empty()) {
      if (is_global(h.address)) return h;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

nat_diagnosis no_answer(const nat_evidence& e) {
  std::string compare = e.server_saw ? fmt::format(" (the server saw {})", *e.server_saw) : "";
  return {nat_case::no_gateway_answer,
          e.gateway ? "Your router answered neither UPnP nor NAT-PMP, and the first hops did not "
                      "show another NAT: breakwater cannot tell whether it has a public address."
                    : "This machine has no IPv4 default gateway, and the first hops did not show "
                      "a NAT: breakwater cannot tell how you reach the internet.",
          fmt::format("UPnP IGD and NAT-PMP are turned off on the router, or the gateway is not a "
                      "home router (a company or hotel network). Compare the WAN address on the "
                      "router's status page with your public address{}: if they differ, or it is "
                      "in 100.64.0.0/10, 10/8, 172.16/12 or 192.168/16, another NAT is in front "
                      "of yours. Turn on UPnP or NAT-PMP to let breakwater check.",
                      compare),
          {}};
}

// The router did not tell: the hops, then its refusal, then what the path shows.
nat_diagnosis without_router_wan(const nat_evidence& e) {
  std::string refused = refusal_text(e);
  std::string prefix =
      refused.empty() ? "" : "your router would not tell its WAN address (" + refused + "); ";
  if (auto beyond = nat_hop_beyond_gateway(e)) {
    nat_diagnosis d = from_hop(e, *beyond, prefix);
    if (refused.empty())  // nothing but the hop: say how sure that is
      d.evidence.emplace_back(
          "your router answered neither UPnP nor NAT-PMP, so this rests on the hops alone (an "
          "ISP whose own routers use such addresses looks the same): turn one of them on to "
          "confirm");
    return d;
  }
  if (!refused.empty())
    return {nat_case::nat_beyond_router,
            "Another NAT is beyond your router: it refuses to report its WAN address, which "
            "routers do when that address is private or reserved.",
            std::string(no_forwarding) + ipv6_note(e),
            {"your router would not tell its WAN address (" + refused +
             "), and the first hops toward the server did not show where the next NAT is"}};
  if (auto next = public_hop_beyond_gateway(e))
    return public_router(
        fmt::format("your router did not answer UPnP or NAT-PMP, but hop {} "
                    "beyond it ({}) is public: no second NAT shows",
                    next->ttl, next->address));
  return no_answer(e);
}

void add_facts(const nat_evidence& e, nat_diagnosis& d) {
  if (e.server_saw)
    d.evidence.push_back(fmt::format("the server saw your IPv4 address {}", *e.server_saw));
}

}  // namespace

std::string_view to_string(nat_case c) noexcept {
  switch (c) {
    case nat_case::no_nat: return "no-nat";
    case nat_case::public_router: return "public";
    case nat_case::double_nat: return "double-nat";
    case nat_case::carrier_grade_nat: return "cgnat";
    case nat_case::nat_beyond_router: return "nat-beyond-router";
    case nat_case::no_gateway_answer: return "no-gateway-answer";
  }
  return "unknown";
}

std::optional<hop> nat_hop_beyond_gateway(const nat_evidence& e) {
  unsigned after = gateway_ttl(e);
  for (const hop& h : e.hops) {
    if (h.ttl <= after || h.address.empty()) continue;
    auto scope = scope_of_text(h.address);
    if (!scope || *scope == address_scope::global || h.destination) return std::nullopt;
    if (*scope == address_scope::shared || *scope == address_scope::private_use) return h;
  }
  return std::nullopt;
}

nat_diagnosis diagnose(const nat_evidence& e) {
  nat_diagnosis d;
  if (e.server_saw && e.local_address == *e.server_saw) {
    d = {nat_case::no_nat,
         "No NAT: this machine holds the public address the server saw.",
         "A port is reachable when a program listens on it and no firewall drops it; there is "
         "nothing to forward.",
         {}};
  } else if (auto wan = router_wan(e)) {
    d = from_router_wan(e, *wan);
  } else {
    d = without_router_wan(e);
  }
  add_facts(e, d);
  return d;
}

}  // namespace breakwater::app
