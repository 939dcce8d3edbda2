#include "site/scan_verdict.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

using probe::port_state;

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

port_finding finding(const probe::port_result& r, const db::database& db) {
  port_finding f;
  f.port = r.port;
  f.state = r.state;
  f.name = std::string(db.name_of(r.port));
  const db::entry* e = db.find_entry(r.port);
  f.has_entry = e != nullptr;
  // The meaning of open and closed is said once for all ports; here, what this port is.
  if (e != nullptr) {
    f.why = e->summary;
  } else if (!f.name.empty()) {
    f.why = fmt::format("Registered with IANA as {}; we have not written about it yet.", f.name);
  } else {
    f.why = r.state == port_state::open
                ? "No service is registered for this port: something non-standard listens there."
                : "No service is registered for this port.";
  }
  if (e != nullptr && r.state == port_state::open) {
    f.advice = e->advice;
  } else if (r.state == port_state::open) {
    f.advice =
        "If you did not mean to offer this service to the internet, turn it off or remove "
        "the port forwarding for it in your router.";
  } else {
    f.advice =
        "Have your router or firewall drop unsolicited packets to this port instead of "
        "refusing them.";
  }
  return f;
}

void port_findings(const scan::scan_view& v, const db::database& db, verdict_text& out) {
  for (const probe::port_result& r : v.result.ports) {
    if (r.state == port_state::open) out.open.push_back(finding(r, db));
    if (r.state == port_state::closed) out.closed.push_back(finding(r, db));
  }
}

bool ping_answered(const scan::scan_view& v) { return v.result.ping && v.result.ping->answered; }
bool ping_tested(const scan::scan_view& v) {
  return v.ping && v.result.ping && v.result.ping->permitted;
}
bool upnp_answered(const scan::scan_view& v) { return v.result.upnp && v.result.upnp->answered; }
bool complete(const scan::scan_view& v) {
  return v.phase == scan::scan_phase::done && !v.result.cancelled &&
         v.result.ports.size() == v.ports.size();
}

void headline(const scan::scan_view& v, verdict_text& out) {
  std::size_t probed = v.result.ports.size();
  if (upnp_answered(v)) {
    out.kind = verdict_kind::upnp_exposed;
    out.headline = "Your router answered a UPnP discovery request from the internet.";
  } else if (!out.open.empty()) {
    out.kind = verdict_kind::open_ports;
    out.headline =
        fmt::format("{} of your connection accept{} connections from the internet.",
                    plural(out.open.size(), "port", "ports"), out.open.size() == 1 ? "s" : "");
  } else if (!out.closed.empty()) {
    out.kind = verdict_kind::closed_ports;
    out.headline = fmt::format("No open ports, but {} answered that {} closed.",
                               plural(out.closed.size(), "port", "ports"),
                               out.closed.size() == 1 ? "it is" : "they are");
  } else if (probed == 0) {
    out.kind = verdict_kind::nothing_found;
    out.headline = ping_answered(v) ? "Your address answers ping." : "Nothing answered.";
    if (ping_answered(v)) out.kind = verdict_kind::ping_answered;
  } else if (ping_answered(v)) {
    out.kind = verdict_kind::ping_answered;
    out.headline = "Every port tested is stealth, but your address answers ping.";
  } else if (ping_tested(v) && complete(v)) {
    out.kind = verdict_kind::tru_stealth;
    out.headline = "TruStealth: every port tested is stealth and your address ignores ping.";
  } else {
    out.kind = verdict_kind::stealth;
    out.headline = "Every port tested is stealth.";
  }
}

void explain(const scan::scan_view& v, verdict_text& out) {
  std::size_t stealth = v.result.ports.size() - out.open.size() - out.closed.size();
  auto& p = out.paragraphs;
  if (!v.result.ports.empty()) {
    p.push_back(fmt::format("Of {} tested: {} open, {} closed, {} stealth.",
                            plural(v.result.ports.size(), "port", "ports"), out.open.size(),
                            out.closed.size(), stealth));
  }
  if (!out.open.empty()) {
    p.push_back(
        "An open port means a program on your network (or your router itself) accepted a "
        "connection from this server. Anyone on the internet can reach it the same way, and "
        "automated scanners try every address many times a day.");
  }
  if (!out.closed.empty()) {
    p.push_back(
        "A closed port is not a way in: nothing accepted the connection. But the refusal tells "
        "a scanner that a machine is there, which invites a closer look. A stealth port sends "
        "nothing back at all.");
  }
  if (out.kind == verdict_kind::tru_stealth) {
    p.push_back(
        "Nothing came back from your address: not a single port answered and ping went "
        "unanswered. To a scanner, your address looks unused.");
  }
  if (v.ping && v.result.ping) {
    const probe::ping_result& ping = *v.result.ping;
    if (!ping.permitted) {
      p.push_back(
          "This server is not allowed to send ping, so the ping test did not run: "
          "without it the TruStealth verdict cannot be given.");
    } else if (ping.answered) {
      p.push_back(
          "Your address answered ping (ICMP echo). That alone exposes nothing, but it "
          "tells every scanner that something is there.");
    } else {
      p.push_back("Your address did not answer ping (ICMP echo).");
    }
  } else if (out.kind == verdict_kind::stealth) {
    p.push_back(
        "Ping was not part of this test, so it cannot be called TruStealth: choose a "
        "test with ping to check that too.");
  }
  if (v.upnp && v.result.upnp) {
    if (upnp_answered(v)) {
      p.push_back(
          "UPnP is meant for your home network only. A router that answers it from the internet "
          "may also accept requests to open ports or to relay traffic for anyone, a weakness "
          "that has been used for large attacks and to reach machines behind the router.");
    } else {
      p.push_back(
          "Your router did not answer UPnP discovery (SSDP on UDP port 1900) from the "
          "internet, as it should.");
    }
  }
  if (v.result.cancelled || v.phase == scan::scan_phase::cancelled) {
    out.cancelled = true;
    p.push_back("The scan was stopped before it finished: ports not yet tested are not counted.");
  }
}

void actions(const scan::scan_view& v, verdict_text& out) {
  auto& a = out.actions;
  if (upnp_answered(v)) {
    a.push_back(
        "Turn off UPnP in your router's settings (at least on its internet side), and "
        "install the latest firmware for it.");
  }
  if (!out.open.empty()) {
    a.push_back(
        "For each open port: if you do not know what it is, find the device or program "
        "behind it and turn the service off, or remove the port forwarding in your "
        "router. If you run it on purpose, keep it updated and protected by a strong "
        "login.");
  }
  if (!out.closed.empty()) {
    a.push_back(
        "Set your router or firewall to drop unsolicited packets silently instead of "
        "refusing them, so the closed ports become stealth.");
  }
  if (ping_answered(v)) {
    a.push_back(
        "If you do not need to be pinged from outside, turn off \u201crespond to ping "
        "on WAN\u201d (or similar) in your router.");
  }
  if (a.empty() && out.kind != verdict_kind::running) {
    a.push_back("Nothing to do. Run the test again after you change your router or firewall.");
  }
}

}  // namespace

std::vector<std::string> explain_port_state(std::uint16_t port, port_state state,
                                            const db::database& db) {
  std::vector<std::string> out;
  const db::entry* e = db.find_entry(port);
  // The name is in the headings around this text; names carry their own parentheses.
  std::string label = fmt::format("port {}", port);
  switch (state) {
    case port_state::open:
      out.push_back(
          fmt::format("Something on your connection accepted a connection on {}: "
                      "anyone on the internet can reach it.",
                      label));
      if (e != nullptr) out.push_back(e->summary);
      break;
    case port_state::closed:
      out.push_back(
          fmt::format("Your connection refused {}: nothing listens there, but the "
                      "refusal shows that a machine is present.",
                      label));
      break;
    case port_state::filtered:
      out.push_back(
          fmt::format("A firewall or router answered for {} and refused it: the refusal "
                      "shows that something is there.",
                      label));
      break;
    case port_state::stealth:
      out.push_back(
          fmt::format("Nothing came back from {}: to a scanner it looks as if no "
                      "machine were there. This is the best result.",
                      label));
      break;
  }
  return out;
}

verdict_text make_verdict(const scan::scan_view& view, const db::database& db) {
  verdict_text out;
  port_findings(view, db, out);
  if (view.phase == scan::scan_phase::running) {
    out.kind = verdict_kind::running;
    out.headline = fmt::format("Testing: {} of {} decided so far.", view.decided,
                               plural(view.ports.size(), "port", "ports"));
    return out;
  }
  if (view.phase == scan::scan_phase::failed) {
    out.kind = verdict_kind::failed;
    out.headline = "The scan could not finish.";
    out.paragraphs.push_back(view.error.empty() ? "The server did not say why." : view.error);
    out.actions.push_back("Try again in a few minutes.");
    return out;
  }
  headline(view, out);
  explain(view, out);
  actions(view, out);
  return out;
}

}  // namespace breakwater::site
