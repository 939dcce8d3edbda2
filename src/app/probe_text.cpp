#include "app/probe_text.hpp"

#include "probe/port_set.hpp"
#include "probe/wire/udp/finding.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <fmt/format.h>

#include <map>
#include <string_view>

namespace breakwater::app {
namespace {

using namespace breakwater::probe;

std::string reason_text(const port_result& p, bool v6) {
  if (p.why == reason::icmp_unreachable && p.icmp) {
    return fmt::format("icmp {}", icmp_name(*p.icmp, v6));
  }
  return std::string(to_string(p.why));
}

// A group's heading with its count, then its lines; nothing at all for an empty group.
std::string group(std::string_view heading, std::size_t count, const std::string& lines) {
  if (count == 0) return {};
  return fmt::format("{} ({}):\n{}", heading, count, lines);
}

// A section's groups, or one line saying that it has none (a scan stopped before any verdict).
std::string groups_or_none(const std::string& groups, std::string_view none) {
  return groups.empty() ? fmt::format("{}\n", none) : groups;
}

std::string open_lines(const scan_result& r) {
  std::string out;
  for (const port_result& p : r.ports) {
    if (p.state != port_state::open) continue;
    out += fmt::format("  {:<6} {:<10} {:>9}  {} {}\n", p.port, to_string(p.why),
                       p.rtt ? fmt::format("{:.1f} ms", to_ms(*p.rtt)) : "", p.tries,
                       p.tries == 1 ? "try" : "tries");
  }
  return out;
}

// Closed ports grouped by how they refused, each group as ranges.
std::string closed_lines(const scan_result& r) {
  std::map<std::string, port_set> groups;
  for (const port_result& p : r.ports) {
    if (p.state == port_state::closed) groups[reason_text(p, r.target.is_v6())].add(p.port);
  }
  std::string out;
  for (const auto& [why, set] : groups) {
    out += fmt::format("  {} ({}): {}\n", why, set.size(), format_ranges(set.ranges()));
  }
  return out;
}

std::string stealth_line(const scan_result& r) {
  port_set set;
  for (const port_result& p : r.ports) {
    if (p.state == port_state::stealth) set.add(p.port);
  }
  return set.empty() ? std::string() : fmt::format("  {}\n", format_ranges(set.ranges()));
}

std::string ping_text(const ping_result& p) {
  if (!p.permitted) return fmt::format("Ping: not tested. {}\n", p.error);
  if (p.answered) {
    return fmt::format("Ping: answered in {:.1f} ms ({} socket)\n", p.rtt ? to_ms(*p.rtt) : 0.0,
                       p.method);
  }
  if (!p.error.empty()) return fmt::format("Ping: could not run: {}\n", p.error);
  return fmt::format("Ping: no answer to {} echo request(s)\n", p.sent);
}

std::string upnp_text(const upnp_result& u) {
  if (u.answered) {
    std::string out =
        fmt::format("UPnP (UDP 1900): EXPOSED, {} answered: {}\n", u.from, u.status_line);
    for (const auto& [name, value] : u.headers) out += fmt::format("    {}: {}\n", name, value);
    return out;
  }
  if (u.refused) return "UPnP (UDP 1900): closed (ICMP port unreachable)\n";
  if (!u.error.empty()) return fmt::format("UPnP (UDP 1900): could not run: {}\n", u.error);
  return fmt::format("UPnP (UDP 1900): no answer to {} M-SEARCH request(s)\n", u.sent);
}

std::string recheck_note(const scan_result& r) {
  if (!r.icmp_rate_limited) return {};
  std::size_t rechecked = 0, unresolved = 0;
  for (const auto* list : {&r.ports, &r.udp}) {
    for (const port_result& p : *list) {
      if (p.rate_limit == recheck::rechecked) ++rechecked;
      if (p.rate_limit == recheck::unresolved) ++unresolved;
    }
  }
  std::string out = fmt::format(
      "Note: the target rate-limits its ICMP errors; {} verdict(s) rest on slow re-probing.\n",
      rechecked);
  if (const auto& l = r.icmp_limit) {
    out += fmt::format(
        "      Its limit, as the scan saw it: {:g} at once, then one every {:g} ms{}.\n", l->burst,
        to_ms(l->refill),
        l->learned     ? " (learned from its errors)"
        : l->tightened ? " (tighter than assumed)"
                       : "");
  }
  if (unresolved > 0) {
    out += fmt::format(
        "      {} silent port(s) could not be confirmed in time: stealth, or closed with the "
        "error withheld.\n",
        unresolved);
  }
  return out;
}

// One open UDP port: what answered, how much, what it means, and its first bytes.
std::string udp_open_lines(const port_result& p) {
  const udp_answer& a = *p.udp;
  std::string out = fmt::format("  {:<6} {:<20} {} B back for {} B sent (x{:.2f})\n", p.port,
                                a.protocol, a.bytes_in, a.bytes_out, a.amplification());
  if (const auto* f = udp::find_finding(a.finding)) {
    out += fmt::format("         ! {} {}. {}\n",
                       f->reflector ? "Reflector:" : "Exposed:", f->headline, f->advice);
  }
  if (!a.summary.empty()) out += fmt::format("         {}\n", a.summary);
  if (!a.text.empty()) out += fmt::format("         answer: {}\n", a.text);
  return out;
}

std::string udp_text(const scan_result& r) {
  bool v6 = r.target.is_v6();
  scan_summary s = r.udp_summary();
  std::string out = fmt::format("\nUDP ({} port(s)):\n", r.udp.size());
  std::string open;
  for (const port_result& p : r.udp) {
    if (p.state == port_state::open && p.udp) open += udp_open_lines(p);
  }
  port_set closed, silent;
  std::string filtered, silent_notes;
  for (const port_result& p : r.udp) {
    if (p.state == port_state::closed) closed.add(p.port);
    if (p.state == port_state::filtered) {
      filtered += fmt::format("  {:<6} {}{}\n", p.port, reason_text(p, v6),
                              p.icmp && !p.icmp->from.is_unspecified()
                                  ? fmt::format(" from {}", p.icmp->from.to_string())
                                  : std::string());
    }
    if (p.state == port_state::stealth) {
      silent.add(p.port);
      if (auto why = udp::protocol_for(p.port).silence; !why.empty()) {
        silent_notes += fmt::format("  {:<6} {}\n", p.port, why);
      }
    }
  }
  auto ranges = [](const port_set& set) {
    return set.empty() ? std::string() : fmt::format("  {}\n", format_ranges(set.ranges()));
  };
  std::string groups = group("Open", s.open, open);
  groups += group("Closed, port unreachable", s.closed, ranges(closed));
  groups += group("Filtered, another ICMP unreachable", s.filtered, filtered);
  groups += group("No answer: stealth, or a service that stays silent", s.stealth,
                  ranges(silent) + silent_notes);
  return out + groups_or_none(groups, "No UDP port was decided.");
}

}  // namespace

std::string render_scan_text(const scan_result& r) {
  scan_summary s = r.summary();
  std::string out = fmt::format("Probe of {}: {} port(s) in {:.2f} s", r.target.to_string(),
                                r.ports.size() + r.udp.size(), to_ms(r.elapsed) / 1000.0);
  if (r.srtt) out += fmt::format(", round trip {:.1f} ms", to_ms(*r.srtt));
  out += r.stopped_by ? " (stopped early)\n" : r.cancelled ? " (cancelled)\n" : "\n";
  if (r.stopped_by) {
    out += fmt::format(
        "The scan stopped part-way: {}. The verdicts below are those found "
        "before it; the other ports were not decided.\n",
        r.stopped_by->message());
  }
  if (!r.ports.empty() || r.udp.empty()) {
    out += r.udp.empty() ? "\n" : fmt::format("\nTCP ({} port(s)):\n", r.ports.size());
    std::string groups = group("Open", s.open, open_lines(r));
    groups += group("Closed", s.closed, closed_lines(r));
    groups += group("Stealth", s.stealth, stealth_line(r));
    out += groups_or_none(groups, "No port was decided.");
  }
  if (!r.udp.empty()) out += udp_text(r);
  if (r.ping || r.upnp) out += "\n";
  if (r.ping) out += ping_text(*r.ping);
  if (r.upnp) out += upnp_text(*r.upnp);
  std::string note = recheck_note(r);
  if (!note.empty()) out += "\n" + note;
  return out;
}

std::string render_progress(std::size_t decided, std::size_t total, std::size_t open,
                            std::size_t closed) {
  return fmt::format("\r  {}/{} ports decided: {} open, {} closed ", decided, total, open, closed);
}

}  // namespace breakwater::app
