// JSON of scan results, shared by `breakwater probe --json` and the web API.
#pragma once

#include "probe/verdict.hpp"

#include <boost/json/value.hpp>

namespace breakwater::probe {

// {"target":"198.18.0.2","ports":[{"port":22,"state":"open","reason":"syn-ack","rtt_ms":0.4,
//  "tries":1}, ...],"ping":{...}|null,"upnp":{...}|null,
//  "summary":{"open":1,"closed":500,"stealth":555},"elapsed_ms":1234, ...}
boost::json::value scan_to_json(const scan_result& r);

boost::json::value port_to_json(const port_result& p, bool v6 = false);
boost::json::value ping_to_json(const ping_result& p);
boost::json::value upnp_to_json(const upnp_result& u);

}  // namespace breakwater::probe
