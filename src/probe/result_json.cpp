#include "probe/result_json.hpp"

#include "common/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cmath>

namespace breakwater::probe {
namespace {

namespace json = boost::json;

// Milliseconds with 0.01 ms resolution: enough, and stable to read.
double ms(duration d) { return std::round(to_ms(d) * 100.0) / 100.0; }

}  // namespace

json::value port_to_json(const port_result& p, bool v6) {
  json::object o;
  o["port"] = p.port;
  o["state"] = to_string(p.state);
  o["reason"] = to_string(p.why);
  if (p.icmp) {
    o["icmp"] = json::object{
        {"type", p.icmp->type}, {"code", p.icmp->code}, {"name", icmp_name(*p.icmp, v6)}};
  }
  if (p.rtt) o["rtt_ms"] = ms(*p.rtt);
  o["tries"] = p.tries;
  if (p.rate_limit != recheck::none) o["icmp_rate_limit"] = to_string(p.rate_limit);
  return o;
}

json::value ping_to_json(const ping_result& p) {
  json::object o;
  o["permitted"] = p.permitted;
  o["answered"] = p.answered;
  o["method"] = p.method.empty() ? json::value(nullptr) : json::value(p.method);
  o["sent"] = p.sent;
  o["received"] = p.received;
  o["rtt_ms"] = p.rtt ? json::value(ms(*p.rtt)) : json::value(nullptr);
  if (!p.error.empty()) o["error"] = p.error;
  return o;
}

json::value upnp_to_json(const upnp_result& u) {
  json::object o;
  o["answered"] = u.answered;
  o["sent"] = u.sent;
  o["refused"] = u.refused;
  if (u.answered) {
    o["from"] = u.from;
    o["rtt_ms"] = u.rtt ? json::value(ms(*u.rtt)) : json::value(nullptr);
    o["status"] = u.status_line;
    json::object headers;
    for (const auto& [name, value] : u.headers) {
      if (!headers.contains(name)) headers[name] = value;  // first of repeated headers
    }
    o["headers"] = std::move(headers);
  }
  if (!u.error.empty()) o["error"] = u.error;
  return o;
}

std::string ports_json_text(const std::vector<port_result>& ports, bool v6) {
  std::string out = "[";
  out.reserve(ports.size() * 72 + 2);
  for (const port_result& p : ports) {
    if (out.size() > 1) out += ',';
    out += common::json_text(port_to_json(p, v6));
  }
  out += ']';
  return out;
}

json::value scan_to_json(const scan_result& r, bool with_ports) {
  json::object o;
  o["target"] = r.target.to_string();
  json::array ports;
  if (with_ports) {
    ports.reserve(r.ports.size());
    for (const port_result& p : r.ports) ports.push_back(port_to_json(p, r.target.is_v6()));
  }
  o["ports"] = std::move(ports);
  o["ping"] = r.ping ? ping_to_json(*r.ping) : json::value(nullptr);
  o["upnp"] = r.upnp ? upnp_to_json(*r.upnp) : json::value(nullptr);
  scan_summary s = r.summary();
  o["summary"] = json::object{{"open", s.open}, {"closed", s.closed}, {"stealth", s.stealth}};
  o["elapsed_ms"] = std::llround(to_ms(r.elapsed));
  o["srtt_ms"] = r.srtt ? json::value(ms(*r.srtt)) : json::value(nullptr);
  o["icmp_rate_limited"] = r.icmp_rate_limited;
  o["cancelled"] = r.cancelled;
  if (r.stopped_by) o["error"] = r.stopped_by->message();
  return o;
}

}  // namespace breakwater::probe
