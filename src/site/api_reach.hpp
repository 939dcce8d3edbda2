// The reach test's API and page: "does my forward reach this machine?" The server sends a
// nonce to the requester's own address and one port (UDP datagrams or a TCP connection),
// and the machine that got it sends it back. See docs/api.md ("Reach tests") and /reach.
#pragma once

#include "scan/reach.hpp"
#include "site/layout.hpp"
#include "site/site.hpp"

#include <string_view>

namespace breakwater::site {

// POST /api/v1/reach, GET /api/v1/reach/{id}, POST /api/v1/reach/{id}/confirm, and /reach.
void add_reach_routes(website& s, scan::reach_service& service);

// /reach: what the test is, the CLI, and the curl equivalent for a TCP service that logs
// what it receives. `address`: the requester's, as the test would see it (empty: unknown).
page render_reach_page(const page_context& ctx, std::string_view address);

}  // namespace breakwater::site
