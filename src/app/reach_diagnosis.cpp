#include "app/reach_diagnosis.hpp"

#include "common/cidr.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace breakwater::app {
namespace {

using common::address_scope;
using probe::reach_delivery;

std::optional<common::ip_bytes> ip_of(std::string_view text) {
  return common::parse_ip(text.substr(0, text.find('%')));  // fe80::1%eth0: the zone goes
}

bool same_address(std::string_view a, std::string_view b) {
  auto x = ip_of(a), y = ip_of(b);
  return x && y && x->v6 == y->v6 && x->bytes == y->bytes;
}

std::optional<address_scope> scope_of_text(std::string_view address) {
  auto ip = ip_of(address);
  if (!ip) return std::nullopt;
  return common::scope_of(*ip);
}

bool is_private_v4(std::string_view address) {
  auto ip = ip_of(address);
  return ip && !ip->v6 && common::scope_of(*ip) == address_scope::private_use;
}

std::string_view proto(const reach_evidence& e) {
  return e.transport == probe::reach_transport::udp ? "UDP" : "TCP";
}

const local_address* find_local(const reach_evidence& e, std::string_view address) {
  for (const local_address& l : e.local) {
    if (same_address(l.address, address)) return &l;
  }
  return nullptr;
}

// This machine's address in 100.64.0.0/10, if it has one.
const local_address* shared_local(const reach_evidence& e) {
  for (const local_address& l : e.local) {
    if (scope_of_text(l.address) == address_scope::shared) return &l;
  }
  return nullptr;
}

// The LAN address a forward should lead to: the source address toward the server when it
// is private, else the first private IPv4 address of this machine.
std::string lan_address(const reach_evidence& e) {
  if (is_private_v4(e.toward_server)) return e.toward_server;
  for (const local_address& l : e.local) {
    if (is_private_v4(l.address)) return l.address;
  }
  return {};
}

std::string port_phrase(const reach_evidence& e) {
  return e.local_port == e.port || e.local_port == 0
             ? fmt::format("port {}", e.port)
             : fmt::format("port {} (here {})", e.port, e.local_port);
}

std::string attempts(const reach_evidence& e) {
  bool udp = e.transport == probe::reach_transport::udp;
  return fmt::format("{} {}{}", e.attempts, udp ? "datagram" : "connection attempt",
                     e.attempts == 1 ? "" : "s");
}

// What the server saw of its sending, in words fitting the case.
std::string delivery_sentence(const reach_evidence& e, reach_case c) {
  bool udp = e.transport == probe::reach_transport::udp;
  bool router = c == reach_case::nat || c == reach_case::cgnat;
  std::string_view nat = c == reach_case::cgnat ? "the provider's NAT" : "the router";
  switch (e.delivery) {
    case reach_delivery::failed: return fmt::format("The server could not send: {}.", e.detail);
    case reach_delivery::sent:
      return fmt::format("The server sent {} to {} {}; none arrived here.", attempts(e),
                         e.server_saw, port_phrase(e));
    case reach_delivery::answered:
      return fmt::format(
          "Something sent a datagram back from {} port {}, but the nonce did not arrive here: "
          "the packets reach another program or device.",
          e.server_saw, e.port);
    case reach_delivery::written:
      return fmt::format(
          "A connection to {} port {} was accepted and the message written, but it did not "
          "arrive here: {}.",
          e.server_saw, e.port,
          router ? "the forward leads to another device, or to another port of this machine"
                 : "another program took it (check what listens on that port)");
    case reach_delivery::refused:
      if (udp) {
        return fmt::format(
            "An ICMP port unreachable came back to the server: {}.",
            router ? fmt::format("{} (or the device it forwards to) says nothing listens on "
                                 "UDP {}: the forward is missing, or leads to a device or port "
                                 "where nothing listens",
                                 nat, e.port)
                   : "a firewall rejects the datagrams, or nothing listens on that port for "
                     "that address");
      }
      return fmt::format(
          "The server's {} {} refused (a reset came back): {}.", attempts(e),
          e.attempts == 1 ? "was" : "were",
          router ? fmt::format("{} has no forward for TCP {} and refuses it itself, or the "
                               "forward leads to a device or port where nothing listens",
                               nat, e.port)
                 : "nothing accepted the connection for that address, or a firewall rejects it");
    case reach_delivery::unreachable:
      return "An ICMP unreachable (host, network or administratively prohibited) came back to "
             "the server: a firewall on the way rejects the packets.";
    case reach_delivery::no_answer:
      return fmt::format("The server's {} got no answer at all: {}.", attempts(e),
                         router ? fmt::format("{} drops them (no forward for the port, or "
                                              "its firewall drops it)",
                                              nat)
                                : std::string("a firewall drops them silently"));
    case reach_delivery::none: break;
  }
  if (e.state == "sending")
    return "The server was still sending when the wait ended: try a longer --timeout.";
  if (e.state.empty()) return "What the server saw of its sending could not be read.";
  return {};
}

reach_explanation this_machine(const reach_evidence& e, const local_address& l) {
  reach_explanation x;
  x.kind = reach_case::this_machine;
  x.headline = fmt::format(
      "The server sent to {}, this machine's own address ({}): nothing translates in between, "
      "so the packets stopped at a firewall, on this machine or in front of it.",
      e.server_saw, l.interface);
  x.next.push_back(fmt::format(
      "Allow {} {} in this machine's firewall (sudo nft list ruleset, sudo iptables -L -n, sudo "
      "ufw status) and in any firewall in front of it (a hosting provider's security group).",
      proto(e), e.local_port));
  return x;
}

reach_explanation behind_nat(const reach_evidence& e, const std::string& lan) {
  reach_explanation x;
  x.kind = reach_case::nat;
  x.headline = fmt::format(
      "The server sent to {}, which is not this machine's address: this machine ({}) is behind "
      "a NAT router, and the router did not forward {} {} to it.",
      e.server_saw, lan, proto(e), e.port);
  x.next.push_back(fmt::format(
      "On the router, add or fix the port forward: {} {} to {} port {} (this machine's LAN "
      "address), and allow it in the router's firewall.",
      proto(e), e.port, lan, e.local_port));
  x.next.push_back(fmt::format(
      "If the router's WAN address (on its status page) is not {}, another NAT is in front of "
      "it (double or carrier-grade NAT): breakwater nat --server {} finds out.",
      e.server_saw, e.server_url));
  return x;
}

reach_explanation carrier_grade(const reach_evidence& e, const local_address* shared) {
  reach_explanation x;
  x.kind = reach_case::cgnat;
  x.headline =
      shared != nullptr
          ? fmt::format(
                "This machine's address {} is in 100.64.0.0/10, the space of carrier-grade NAT "
                "(RFC 6598): your provider translates it to {}, shared with other customers. A "
                "forward on your router cannot work.",
                shared->address, e.server_saw)
          : fmt::format(
                "The server saw {}, in 100.64.0.0/10, the space of carrier-grade NAT (RFC "
                "6598): your provider's NAT stands between. A forward on your router cannot "
                "work.",
                e.server_saw);
  x.next.push_back(
      "Ask your provider for a public IPv4 address (or a port forward on their NAT), or use "
      "IPv6 (breakwater reach -6 ...), where nothing needs forwarding.");
  x.next.push_back(fmt::format("breakwater nat --server {} shows the NAT hops.", e.server_url));
  return x;
}

reach_explanation elsewhere(const reach_evidence& e) {
  std::vector<std::string> mine;
  for (const local_address& l : e.local) mine.push_back(l.address);
  reach_explanation x;
  x.kind = reach_case::elsewhere;
  x.headline = fmt::format(
      "The server sent to {}, which is none of this machine's addresses ({}), and no router "
      "of yours translates to it: the request left through something else (a proxy, a VPN, or "
      "another machine).",
      e.server_saw,
      mine.empty() ? std::string("none found") : fmt::format("{}", fmt::join(mine, ", ")));
  x.next.push_back(fmt::format(
      "Run the test on the machine that holds {}, or without the proxy or VPN; -4 or -6 "
      "chooses the address family.",
      e.server_saw));
  return x;
}

}  // namespace

std::string_view to_string(reach_case c) noexcept {
  switch (c) {
    case reach_case::this_machine: return "this-machine";
    case reach_case::nat: return "nat";
    case reach_case::cgnat: return "cgnat";
    case reach_case::elsewhere: return "elsewhere";
  }
  return "elsewhere";
}

reach_explanation explain_timeout(const reach_evidence& e) {
  reach_explanation x;
  const local_address* shared = shared_local(e);
  std::string lan = lan_address(e);
  bool saw_v4 = ip_of(e.server_saw) && !ip_of(e.server_saw)->v6;
  if (const local_address* l = find_local(e, e.server_saw)) {
    x = this_machine(e, *l);
  } else if (scope_of_text(e.server_saw) == address_scope::loopback) {
    x = this_machine(e, local_address{"loopback", e.server_saw});
  } else if (scope_of_text(e.server_saw) == address_scope::shared || (saw_v4 && shared)) {
    x = carrier_grade(e, shared);
  } else if (saw_v4 && !lan.empty()) {
    x = behind_nat(e, lan);
  } else {
    x = elsewhere(e);
  }
  if (std::string d = delivery_sentence(e, x.kind); !d.empty()) x.details.push_back(d);
  if (e.watch) {
    x.next.push_back(fmt::format(
        "Check that the service listens on {} {} on every address (ss -lnp | grep :{}).", proto(e),
        e.local_port, e.local_port));
  }
  return x;
}

}  // namespace breakwater::app
