// The events of a scan as server-sent events carry them: the JSON of each step.
#pragma once

#include "probe/verdict.hpp"
#include "scan/scan_view.hpp"

#include <string>

namespace breakwater::scan {

std::string verdict_event_data(const probe::port_result& p, bool v6);
std::string ping_event_data(const probe::ping_result& p);
std::string upnp_event_data(const probe::upnp_result& u);
// {"phase":"done"|"cancelled"|"failed","summary":{"open":N,"closed":N,"stealth":N},
//  "error":null|"...","elapsed_ms":N}
std::string done_event_data(scan_phase phase, const probe::scan_result& r,
                            const std::string& error);

}  // namespace breakwater::scan
