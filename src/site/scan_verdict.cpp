#include "site/scan_verdict.hpp"

#include "site/udp_words.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// "UDP port 53 (DNS):", "UDP port 41641, Tailscale (WireGuard):": before what is said of it.
std::string heading_of(std::uint16_t port) {
  std::string label = udp_port_label(port);
  if (label.ends_with(',')) label.pop_back();
  return label + ":";
}

constexpr std::string_view udp_open_advice =
    "If you did not mean to offer this service to the internet, turn it off or remove the port "
    "forwarding for it in your router.";

udp_port_finding udp_finding(const probe::port_result& r) {
  udp_port_finding f;
  f.port = r.port;
  if (r.udp) {
    f.protocol = r.udp->protocol;
    f.summary = r.udp->summary;
    f.amplification = r.udp->amplification();
  }
  if (auto words = udp_finding_of(r)) {
    f.sentence = std::move(words->sentence);
    f.advice = std::string(words->advice);
    f.reflector = words->reflector;
  } else {
    f.advice = std::string(udp_open_advice);
  }
  return f;
}

// Reflectors first, the largest amplification first among them; then the other findings;
// then the services whose answer calls for nothing in particular. Port order otherwise.
int rank(const udp_port_finding& f) { return f.reflector ? 0 : f.sentence.empty() ? 2 : 1; }

void port_findings(const scan::scan_view& v, const db::database& db, verdict_text& out) {
  for (const probe::port_result& r : v.result.ports) {
    if (r.state == port_state::open) out.open.push_back(finding(r, db));
    if (r.state == port_state::closed) out.closed.push_back(finding(r, db));
  }
  for (const probe::port_result& r : v.result.udp) {
    if (r.state == port_state::open) out.udp.push_back(udp_finding(r));
  }
  std::stable_sort(out.udp.begin(), out.udp.end(), [](const auto& a, const auto& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a.reflector && a.amplification > b.amplification;
  });
}

bool ping_answered(const scan::scan_view& v) { return v.result.ping && v.result.ping->answered; }
bool ping_tested(const scan::scan_view& v) {
  return v.ping && v.result.ping && v.result.ping->permitted;
}
bool upnp_answered(const scan::scan_view& v) { return v.result.upnp && v.result.upnp->answered; }
bool upnp_refused(const scan::scan_view& v) { return v.result.upnp && v.result.upnp->refused; }
// The UPnP test was asked for and could not run (no socket, no route): it tells nothing.
bool upnp_failed(const scan::scan_view& v) {
  return v.upnp && v.result.upnp && !v.result.upnp->answered && !v.result.upnp->error.empty();
}
bool stopped(const scan::scan_view& v) {
  return v.result.cancelled || v.phase == scan::scan_phase::cancelled;
}
bool complete(const scan::scan_view& v) {
  return v.phase == scan::scan_phase::done && !v.result.cancelled &&
         v.result.ports.size() == v.ports.size() && v.result.udp.size() == v.udp_ports.size();
}

// UDP ports that refused the probe with an ICMP error: closed or filtered.
std::size_t udp_refused(const scan::scan_view& v) {
  probe::scan_summary u = v.result.udp_summary();
  return u.closed + u.filtered;
}

bool udp_reflector_found(const verdict_text& out) {
  return !out.udp.empty() && out.udp.front().reflector;
}
bool udp_finding_found(const verdict_text& out) {
  return !out.udp.empty() && !out.udp.front().sentence.empty();
}

// The headline of a test without ports (ping, UPnP), or of a scan stopped before any port
// was decided: what ran and what it showed, never "nothing answered" for a test that did not
// run or for a refusal.
void no_port_tested(const scan::scan_view& v, verdict_text& out) {
  out.kind = verdict_kind::nothing_found;
  if (ping_answered(v)) {
    out.kind = verdict_kind::ping_answered;
    out.headline = "Your address answers ping.";
  } else if (stopped(v) && (v.ports.size() + v.udp_ports.size()) > 0) {
    out.kind = verdict_kind::inconclusive;
    out.headline = "The scan was stopped before any port was tested.";
  } else if (upnp_refused(v)) {
    out.kind = verdict_kind::closed_ports;
    out.headline =
        "Your router refused the UPnP discovery request (UDP port 1900 answered \u201cport "
        "unreachable\u201d): it does not offer UPnP to the internet, but it shows it is there.";
  } else if (v.ping && v.result.ping && !v.result.ping->permitted && !v.upnp) {
    out.kind = verdict_kind::inconclusive;
    out.headline = "The ping test could not run: this server is not allowed to send ping.";
  } else if (upnp_failed(v) && !ping_tested(v)) {
    out.kind = verdict_kind::inconclusive;
    out.headline = "The UPnP test could not run on this server; nothing was learned.";
  } else {
    out.headline = "Nothing answered.";
  }
}

void headline(const scan::scan_view& v, verdict_text& out) {
  std::size_t probed = v.result.ports.size() + v.result.udp.size();
  std::size_t refused = out.closed.size() + udp_refused(v);
  if (udp_reflector_found(out)) {
    out.kind = verdict_kind::udp_reflector;
    out.headline = out.udp.front().sentence;
  } else if (upnp_answered(v)) {
    out.kind = verdict_kind::upnp_exposed;
    out.headline = "Your router answered a UPnP discovery request from the internet.";
  } else if (udp_finding_found(out)) {
    out.kind = verdict_kind::udp_exposed;
    out.headline = out.udp.front().sentence;
  } else if (!out.open.empty()) {
    out.kind = verdict_kind::open_ports;
    out.headline =
        fmt::format("{} of your connection accept{} connections from the internet.",
                    plural(out.open.size(), "port", "ports"), out.open.size() == 1 ? "s" : "");
  } else if (!out.udp.empty()) {
    out.kind = verdict_kind::udp_open;
    out.headline = fmt::format("{} of your connection answer{} from the internet.",
                               plural(out.udp.size(), "UDP service", "UDP services"),
                               out.udp.size() == 1 ? "s" : "");
  } else if (refused > 0 && udp_refused(v) == 0) {
    out.kind = verdict_kind::closed_ports;
    out.headline = fmt::format("No open ports, but {} answered that {} closed.",
                               plural(out.closed.size(), "port", "ports"),
                               out.closed.size() == 1 ? "it is" : "they are");
  } else if (refused > 0) {
    out.kind = verdict_kind::closed_ports;
    // Say "no open ports" only where TCP ports were tested.
    out.headline = fmt::format(
        "{} no UDP service answered, but {} refused the probe{}, which shows that something is "
        "there.",
        v.result.ports.empty() ? "No TCP port was tested and" : "No open ports and",
        plural(refused, "port", "ports"), refused == 1 ? "" : "s");
  } else if (probed == 0) {
    no_port_tested(v, out);
  } else if (ping_answered(v)) {
    out.kind = verdict_kind::ping_answered;
    out.headline = "Every port tested is stealth, but your address answers ping.";
  } else if (ping_tested(v) && complete(v)) {
    out.kind = verdict_kind::tru_stealth;
    out.headline = "TruStealth: every port tested is stealth and your address ignores ping.";
  } else if (v.result.ports.empty()) {
    out.kind = verdict_kind::stealth;
    out.headline = "No UDP service answered: every port tested was silent.";
  } else {
    out.kind = verdict_kind::stealth;
    out.headline = "Every port tested is stealth.";
  }
}

// What the UDP verdicts mean: a summary line, then what reflectors, filtered ports and silence
// mean, and the note of each port that is silent by design.
void explain_udp(const scan::scan_view& v, verdict_text& out) {
  if (v.result.udp.empty()) return;
  probe::scan_summary u = v.result.udp_summary();
  auto& p = out.paragraphs;
  p.push_back(fmt::format("Of {} tested: {} answered, {} closed, {} filtered, {} no answer.",
                          plural(v.result.udp.size(), "UDP port", "UDP ports"), u.open, u.closed,
                          u.filtered, u.stealth));
  if (udp_reflector_found(out)) {
    p.push_back(
        "A reflector answers a small request with a larger answer. Attackers send it requests "
        "that carry a victim's address as the sender, and your connection then floods the "
        "victim; the amplification says how many bytes go out for each byte asked.");
  }
  if (!out.udp.empty()) {
    p.push_back(
        "A UDP service that answers is reachable from the internet like an open TCP port: "
        "anyone can send it requests.");
  }
  if (u.filtered > 0) {
    p.push_back(
        "A filtered UDP port drew an ICMP error other than \u201cport unreachable\u201d: a "
        "firewall or router on the way refused the probe, which shows that something is "
        "there.");
  }
  if (u.stealth > 0) {
    p.push_back(
        "No answer on UDP means stealth, or a service that stays silent: many UDP services "
        "answer only a request they expect, so silence proves neither that a port is closed "
        "nor that it is open.");
  }
  for (const probe::port_result& r : v.result.udp) {
    std::string_view note = udp_silence_note(r.port);
    if (r.state == port_state::stealth && !note.empty()) {
      p.push_back(fmt::format("{} {}", heading_of(r.port), note));
    }
  }
}

void explain(const scan::scan_view& v, verdict_text& out) {
  std::size_t stealth = v.result.ports.size() - out.open.size() - out.closed.size();
  auto& p = out.paragraphs;
  if (!v.result.ports.empty()) {
    bool both = !v.result.udp.empty();
    p.push_back(fmt::format(
        "Of {} tested: {} open, {} closed, {} stealth.",
        plural(v.result.ports.size(), both ? "TCP port" : "port", both ? "TCP ports" : "ports"),
        out.open.size(), out.closed.size(), stealth));
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
  explain_udp(v, out);
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
    if (upnp_failed(v)) {
      p.push_back(
          fmt::format("The UPnP test could not run on this server ({}).", v.result.upnp->error));
    } else if (upnp_refused(v)) {
      p.push_back(
          "Your router refused UPnP discovery (SSDP on UDP port 1900) with an ICMP \u201cport "
          "unreachable\u201d: it does not offer UPnP to the internet. A router that drops the "
          "request instead would not show that it is there.");
    } else if (upnp_answered(v)) {
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
  if (stopped(v)) {
    out.cancelled = true;
    p.push_back("The scan was stopped before it finished: ports not yet tested are not counted.");
  }
}

void actions(const scan::scan_view& v, verdict_text& out) {
  auto& a = out.actions;
  bool plain_udp = false;  // a UDP service answered without a finding of its own
  for (const udp_port_finding& f : out.udp) {
    if (f.sentence.empty()) {
      plain_udp = true;
      continue;
    }
    a.push_back(fmt::format("{} {}", heading_of(f.port), f.advice));
  }
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
  if (plain_udp) {
    a.push_back(
        "For each UDP service that answered: if you do not know what it is, find the device "
        "or program behind it and turn it off, or remove the port forwarding in your router. "
        "If you run it on purpose, keep it updated.");
  }
  if (!out.closed.empty() || udp_refused(v) > 0) {
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

std::vector<std::string> explain_udp_state(const probe::port_result& r, bool v6) {
  std::vector<std::string> out;
  std::string label = heading_of(r.port);
  label.pop_back();  // mid-sentence: no colon
  switch (r.state) {
    case port_state::open:
      out.push_back(fmt::format(
          "A service on your connection answered a {} request on {}: anyone on the internet "
          "can reach it.",
          r.udp ? r.udp->protocol : std::string("UDP"), label));
      if (r.udp && !r.udp->summary.empty()) out.push_back("Its answer: " + r.udp->summary + ".");
      break;
    case port_state::closed:
      out.push_back(
          fmt::format("Your connection answered {} with ICMP port unreachable: nothing listens "
                      "there, but the answer shows that a machine is present.",
                      label));
      break;
    case port_state::filtered:
      out.push_back(fmt::format(
          "A firewall or router answered for {} with {}: the port is filtered, and the refusal "
          "shows that something is there.",
          label, icmp_words(r, v6)));
      break;
    case port_state::stealth:
      out.push_back(fmt::format(
          "Nothing came back from {}: stealth, or a service that stays silent. Many UDP "
          "services answer only a request they expect, so silence proves neither that the port "
          "is closed nor that it is open.",
          label));
      if (auto note = udp_silence_note(r.port); !note.empty()) out.emplace_back(note);
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
                               plural(view.total_ports(), "port", "ports"));
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
