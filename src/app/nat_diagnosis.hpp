// What `breakwater nat` found out (the evidence) and what it means (the diagnosis): which NAT
// case this network is, in sentences that say what to do. No I/O here, so tests feed it cases.
#pragma once

#include "probe/wire/igd_soap.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::app {

// What one protocol (UPnP IGD or NAT-PMP) got from the router.
struct gateway_report {
  bool answered = false;                   // the router speaks this protocol
  std::optional<std::string> wan_address;  // the WAN address it told
  std::string refusal;                     // it answered but would not tell: its words
};

// One TTL-limited probe toward the server. An empty address: no router answered.
struct hop {
  unsigned ttl = 0;
  std::string address;
  bool destination = false;  // the server itself answered (port unreachable)
};

enum class hairpin_state { not_tried, works, fails };

struct hairpin_result {
  hairpin_state state = hairpin_state::not_tried;
  std::string address;  // the public address connected to from inside
  std::uint16_t port = 0;
  std::string detail;  // why it failed, or why it was not tried
};

struct nat_evidence {
  std::optional<std::string> gateway;     // the IPv4 default gateway
  std::optional<std::string> gateway_v6;  // the IPv6 one, when there is IPv6
  std::string local_address;              // this machine's IPv4 source address toward the server
  gateway_report upnp, nat_pmp;
  std::string router_name;  // from the IGD description
  std::vector<probe::port_mapping> mappings;
  std::optional<std::string> server_saw;     // our IPv4 address as the server saw it
  std::optional<std::string> server_saw_v6;  // and over IPv6, when the server has IPv6
  std::vector<hop> hops;
  hairpin_result hairpin;
};

enum class nat_case {
  no_nat,             // this machine holds the public address itself
  public_router,      // the router has a public IPv4 address: forwarding can work
  double_nat,         // another NAT with a private address range beyond the router
  carrier_grade_nat,  // the ISP's NAT, 100.64.0.0/10 beyond the router
  nat_beyond_router,  // the router's WAN address is not public, where the next NAT is unknown
  no_gateway_answer,  // neither the router nor the hops told anything
};

std::string_view to_string(nat_case c) noexcept;  // "no-nat", "public", "double-nat", "cgnat"...

struct nat_diagnosis {
  nat_case kind = nat_case::no_gateway_answer;
  std::string headline;               // one sentence: which case
  std::string advice;                 // what that means for port forwarding, what to do
  std::vector<std::string> evidence;  // the facts it rests on
};

nat_diagnosis diagnose(const nat_evidence& e);

// The first hop beyond the home gateway, before any public hop, whose address is shared
// (100.64.0.0/10) or private: the ISP's (or a second) NAT. Empty when there is none.
std::optional<hop> nat_hop_beyond_gateway(const nat_evidence& e);

}  // namespace breakwater::app
