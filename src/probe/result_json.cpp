#include "probe/result_json.hpp"

#include "common/json_text.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cmath>

namespace breakwater::probe {

namespace json = boost::json;

namespace {

// Milliseconds with 0.01 ms resolution: enough, and stable to read.
double ms(duration d) { return std::round(to_ms(d) * 100.0) / 100.0; }

// A UDP answer's fields, beside the port's.
void add_udp_answer(json::object& o, const udp_answer& a) {
  o["protocol"] = a.protocol;
  o["bytes_out"] = a.bytes_out;
  o["bytes_in"] = a.bytes_in;
  o["datagrams"] = a.datagrams;
  o["amplification"] = std::round(a.amplification() * 100.0) / 100.0;
  o["text"] = a.text;
  o["summary"] = a.summary;
  o["finding"] = a.finding.empty() ? json::value(nullptr) : json::value(a.finding);
}

json::value ports_json(const std::vector<port_result>& ports, bool v6) {
  json::array a;
  a.reserve(ports.size());
  for (const port_result& p : ports) a.push_back(port_to_json(p, v6));  // declared in the header
  return a;
}

}  // namespace

json::value scan_summary_json(const scan_summary& s, bool udp) {
  json::object o{{"open", s.open}, {"closed", s.closed}, {"stealth", s.stealth}};
  if (udp) o["filtered"] = s.filtered;
  return o;
}

json::value port_to_json(const port_result& p, bool v6) {
  json::object o;
  o["port"] = p.port;
  o["transport"] = to_string(p.proto);
  o["state"] = to_string(p.state);
  o["reason"] = to_string(p.why);
  if (p.icmp) {
    json::object i{
        {"type", p.icmp->type}, {"code", p.icmp->code}, {"name", icmp_name(*p.icmp, v6)}};
    if (!p.icmp->from.is_unspecified()) i["from"] = p.icmp->from.to_string();
    o["icmp"] = std::move(i);
  }
  if (p.rtt) o["rtt_ms"] = ms(*p.rtt);
  o["tries"] = p.tries;
  if (p.rate_limit != recheck::none) o["icmp_rate_limit"] = to_string(p.rate_limit);
  if (p.proto == transport::udp) {
    if (p.udp) add_udp_answer(o, *p.udp);
    std::string_view silence = udp::protocol_for(p.port).silence;
    if (p.state == port_state::stealth && !silence.empty()) o["silence"] = silence;
  }
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
  bool v6 = r.target.is_v6();
  o["ports"] = with_ports ? ports_json(r.ports, v6) : json::array{};
  if (!r.udp.empty()) o["udp"] = with_ports ? ports_json(r.udp, v6) : json::array{};
  o["ping"] = r.ping ? ping_to_json(*r.ping) : json::value(nullptr);
  o["upnp"] = r.upnp ? upnp_to_json(*r.upnp) : json::value(nullptr);
  o["summary"] = scan_summary_json(r.summary(), false);
  if (!r.udp.empty()) o["udp_summary"] = scan_summary_json(r.udp_summary(), true);
  o["elapsed_ms"] = std::llround(to_ms(r.elapsed));
  o["srtt_ms"] = r.srtt ? json::value(ms(*r.srtt)) : json::value(nullptr);
  o["icmp_rate_limited"] = r.icmp_rate_limited;
  if (r.icmp_limit) {
    o["icmp_limit"] = {{"burst", r.icmp_limit->burst},
                       {"refill_ms", ms(r.icmp_limit->refill)},
                       {"learned", r.icmp_limit->learned},
                       {"tightened", r.icmp_limit->tightened}};
  }
  o["cancelled"] = r.cancelled;
  if (r.stopped_by) o["error"] = r.stopped_by->message();
  return o;
}

}  // namespace breakwater::probe
