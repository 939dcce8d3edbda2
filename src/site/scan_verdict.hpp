// The plain-words verdict of a scan: TruStealth, or what is open or closed (TCP), which UDP
// services answer and which of them can be used against others, why each matters and what to
// do. Pure (a scan view and the database in, text out), so it is tested alone.
#pragma once

#include "db/database.hpp"
#include "scan/scan_view.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace breakwater::site {

// The overall finding, worst first.
enum class verdict_kind {
  running,        // not decided yet
  failed,         // the scan could not run
  udp_reflector,  // a UDP service answers in a way that amplifies attacks on others
  upnp_exposed,   // the router answered SSDP from the internet
  udp_exposed,    // a UDP service with a finding that is not a reflector (SIP, TFTP, NAT-PMP)
  open_ports,     // at least one port accepts connections
  udp_open,       // no TCP port open, but UDP services answer (none with a finding)
  closed_ports,   // nothing open, but some ports answer with a refusal (RST, ICMP error)
  ping_answered,  // every port stealth, but the address answers ping
  stealth,        // every port stealth, without the ping test (or ping could not be sent)
  tru_stealth,    // every port stealth, no answer to ping, no UPnP answer
  nothing_found,  // ping-only or UPnP-only test with no answer
  inconclusive,   // a test that could not run, or a scan stopped before any port
};

// One port that answered, and why that matters for this port.
struct port_finding {
  std::uint16_t port = 0;
  probe::port_state state = probe::port_state::open;
  std::string name;        // from the database, may be empty
  bool has_entry = false;  // our written entry exists: link /port/N#entry
  std::string why;         // what this port is and why its state matters
  std::string advice;      // the entry's exposure advice, or general advice
};

// One UDP port that answered, with what its answer means.
struct udp_port_finding {
  std::uint16_t port = 0;
  std::string protocol;  // what it was asked in ("DNS"; "generic")
  std::string summary;   // what the answer says
  double amplification = 0;
  std::string sentence;  // the finding about the visitor's address; empty without one
  std::string advice;    // the finding's advice, or general advice
  bool reflector = false;
};

struct verdict_text {
  verdict_kind kind = verdict_kind::running;
  std::string headline;                 // one sentence
  std::vector<std::string> paragraphs;  // the explanation, plain words
  std::vector<port_finding> open, closed;
  std::vector<udp_port_finding> udp;  // answering UDP ports: reflectors first, then findings
  std::vector<std::string> actions;   // what to do, most important first
  bool cancelled = false;             // stopped early: the findings cover part of the ports
};

verdict_text make_verdict(const scan::scan_view& view, const db::database& db);

// What a state means for one port (the "probe port N" result): a few sentences.
std::vector<std::string> explain_port_state(std::uint16_t port, probe::port_state state,
                                            const db::database& db);

// The same for a UDP verdict: what answered (or why nothing did), in a few sentences.
std::vector<std::string> explain_udp_state(const probe::port_result& r, bool v6);

}  // namespace breakwater::site
