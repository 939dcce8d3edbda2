#include "probe/verdict.hpp"

namespace breakwater::probe {

std::string_view to_string(transport t) noexcept { return t == transport::udp ? "udp" : "tcp"; }

std::string_view to_string(port_state s) noexcept {
  switch (s) {
    case port_state::open: return "open";
    case port_state::closed: return "closed";
    case port_state::filtered: return "filtered";
    case port_state::stealth: return "stealth";
  }
  return "stealth";
}

std::string_view to_string(reason r) noexcept {
  switch (r) {
    case reason::syn_ack: return "syn-ack";
    case reason::rst: return "rst";
    case reason::icmp_unreachable: return "icmp-unreachable";
    case reason::no_response: return "no-response";
    case reason::udp_answer: return "udp-answer";
    case reason::ack: return "ack";
  }
  return "no-response";
}

std::string_view to_string(recheck r) noexcept {
  switch (r) {
    case recheck::none: return "none";
    case recheck::rechecked: return "rechecked";
    case recheck::unresolved: return "unresolved";
  }
  return "none";
}

std::string_view icmp_name(const icmp_info& i, bool v6) noexcept {
  if (v6) {
    if (i.type != 1) return "icmpv6";
    switch (i.code) {
      case 0: return "no-route";
      case 1: return "admin-prohibited";
      case 3: return "address-unreachable";
      case 4: return "port-unreachable";
      case 5: return "policy-failed";
      case 6: return "reject-route";
    }
    return "unreachable";
  }
  if (i.type != 3) return "icmp";
  switch (i.code) {
    case 0: return "net-unreachable";
    case 1: return "host-unreachable";
    case 2: return "protocol-unreachable";
    case 3: return "port-unreachable";
    case 9: return "net-prohibited";
    case 10: return "host-prohibited";
    case 13: return "admin-prohibited";
  }
  return "unreachable";
}

bool is_port_unreachable(const icmp_info& i, bool v6) noexcept {
  return v6 ? i.type == 1 && i.code == 4 : i.type == 3 && i.code == 3;
}

void scan_summary::add(port_state s) noexcept {
  switch (s) {
    case port_state::open: ++open; break;
    case port_state::closed: ++closed; break;
    case port_state::filtered: ++filtered; break;
    case port_state::stealth: ++stealth; break;
  }
}

scan_summary summary_of(const std::vector<port_result>& ports) {
  scan_summary s;
  for (const port_result& p : ports) s.add(p.state);
  return s;
}

}  // namespace breakwater::probe
