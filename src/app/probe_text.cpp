#include "app/probe_text.hpp"

#include "probe/port_set.hpp"

#include <fmt/format.h>

#include <map>

namespace breakwater::app {
namespace {

using namespace breakwater::probe;

std::string reason_text(const port_result& p, bool v6) {
  if (p.why == reason::icmp_unreachable && p.icmp) {
    return fmt::format("icmp {}", icmp_name(*p.icmp, v6));
  }
  return std::string(to_string(p.why));
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
  for (const port_result& p : r.ports) {
    if (p.rate_limit == recheck::rechecked) ++rechecked;
    if (p.rate_limit == recheck::unresolved) ++unresolved;
  }
  std::string out = fmt::format(
      "Note: the target rate-limits its ICMP errors; {} verdict(s) rest on slow re-probing.\n",
      rechecked);
  if (unresolved > 0) {
    out += fmt::format(
        "      {} silent port(s) could not be confirmed in time: stealth, or closed with the "
        "error withheld.\n",
        unresolved);
  }
  return out;
}

}  // namespace

std::string render_scan_text(const scan_result& r) {
  scan_summary s = r.summary();
  std::string out = fmt::format("Probe of {}: {} port(s) in {:.2f} s", r.target.to_string(),
                                r.ports.size(), to_ms(r.elapsed) / 1000.0);
  if (r.srtt) out += fmt::format(", round trip {:.1f} ms", to_ms(*r.srtt));
  out += r.stopped_by ? " (stopped early)\n" : r.cancelled ? " (cancelled)\n" : "\n";
  if (r.stopped_by) {
    out += fmt::format(
        "The scan stopped part-way: {}. The verdicts below are those found "
        "before it; the other ports were not decided.\n",
        r.stopped_by->message());
  }
  out += "\n";
  out += fmt::format("Open ({}):\n{}", s.open, open_lines(r));
  out += fmt::format("Closed ({}):\n{}", s.closed, closed_lines(r));
  out += fmt::format("Stealth ({}):\n{}", s.stealth, stealth_line(r));
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
