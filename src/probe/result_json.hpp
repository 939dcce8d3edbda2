// JSON of scan results, shared by `breakwater probe --json` and the web API.
#pragma once

#include "probe/verdict.hpp"

#include <boost/json/value.hpp>

namespace breakwater::probe {

// {"target":"198.18.0.2","ports":[{"port":22,"state":"open","reason":"syn-ack","rtt_ms":0.4,
//  "tries":1}, ...],"ping":{...}|null,"upnp":{...}|null,
//  "summary":{"open":1,"closed":500,"stealth":555},"elapsed_ms":1234, ...}
// With `with_ports` false, "ports" is an empty array (see ports_json_text).
boost::json::value scan_to_json(const scan_result& r, bool with_ports = true);

// The "ports" array of scan_to_json as JSON text, built one port at a time: a full range's
// 65,536 ports never exist as one JSON document in memory.
std::string ports_json_text(const std::vector<port_result>& ports, bool v6);

// {"open":1,"closed":500,"stealth":555}, with "filtered" for UDP.
boost::json::value scan_summary_json(const scan_summary& s, bool udp);

boost::json::value port_to_json(const port_result& p, bool v6 = false);
boost::json::value ping_to_json(const ping_result& p);
boost::json::value upnp_to_json(const upnp_result& u);

}  // namespace breakwater::probe
