// The plain-words verdict of a scan: TruStealth, or what is open or closed, why each matters
// and what to do. Pure (a scan view and the database in, text out), so it is tested alone.
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
  upnp_exposed,   // the router answered SSDP from the internet
  open_ports,     // at least one port accepts connections
  closed_ports,   // nothing open, but some ports answer with a refusal
  ping_answered,  // every port stealth, but the address answers ping
  stealth,        // every port stealth, without the ping test (or ping could not be sent)
  tru_stealth,    // every port stealth, no answer to ping, no UPnP answer
  nothing_found,  // ping-only or UPnP-only test with no answer
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

struct verdict_text {
  verdict_kind kind = verdict_kind::running;
  std::string headline;                 // one sentence
  std::vector<std::string> paragraphs;  // the explanation, plain words
  std::vector<port_finding> open, closed;
  std::vector<std::string> actions;  // what to do, most important first
  bool cancelled = false;            // stopped early: the findings cover part of the ports
};

verdict_text make_verdict(const scan::scan_view& view, const db::database& db);

// What a state means for one port (the "probe port N" result): a few sentences.
std::vector<std::string> explain_port_state(std::uint16_t port, probe::port_state state,
                                            const db::database& db);

}  // namespace breakwater::site
