// The scan API: start, read, follow (server-sent events) and cancel scans of the caller's
// own address, the quick single-port check, and the address those probe. See docs/api.md.
#pragma once

#include "scan/service.hpp"
#include "site/site.hpp"

#include <string_view>

namespace breakwater::site {

struct scan_api_options {
  std::chrono::milliseconds heartbeat{15'000};   // SSE comment line when nothing else was sent
  std::chrono::milliseconds check_wait{30'000};  // longest wait of /api/v1/check/{port}
};

void add_scan_api_routes(website& s, scan::service& service, scan_api_options options = {});

// What the API and the scan page say about an id this server does not hold: expired, or
// lost with the node that ran it (docs/deploy.md: one holder's scans live on one node).
inline constexpr std::string_view scan_gone_sentence =
    "No scan with this id is here: it expired, or it was lost when its server stopped. "
    "Start the test again.";

// One server-sent event: "id: N\nevent: NAME\ndata: JSON\n\n".
std::string format_sse(const scan::scan_event& e);

}  // namespace breakwater::site
