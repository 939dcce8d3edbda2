// The scan API: start, read, follow (server-sent events) and cancel scans of the caller's
// own address, the quick single-port check, and the address those probe. See docs/api.md.
#pragma once

#include "scan/service.hpp"
#include "site/site.hpp"

namespace breakwater::site {

struct scan_api_options {
  std::chrono::milliseconds heartbeat{15'000};   // SSE comment line when nothing else was sent
  std::chrono::milliseconds check_wait{30'000};  // longest wait of /api/v1/check/{port}
};

void add_scan_api_routes(website& s, scan::service& service, scan_api_options options = {});

// One server-sent event: "id: N\nevent: NAME\ndata: JSON\n\n".
std::string format_sse(const scan::scan_event& e);

// The API's JSON of a scan: id, state, progress, and the result in the probe --json shape.
std::string scan_view_json(const scan::scan_view& v);

}  // namespace breakwater::site
