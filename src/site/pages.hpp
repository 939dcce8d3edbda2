// Server-rendered pages: each returns the page's content for render_layout().
#pragma once

#include "db/database.hpp"
#include "db/search_index.hpp"
#include "site/layout.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace breakwater::site {

// /port/N: the header bar (previous, probe, enter port, next), IANA's registrations per
// transport, our entry or an honest "no details yet", the other scheme's link, and on HTTPS
// this connection's TLS parameters and the server certificate.
page render_port_page(const db::database& db, const db::port_info& info, const page_context& ctx);

// /ports: every port with an entry of ours, the malware ports first, then by IANA's ranges.
page render_port_list_page(const db::database& db);

// /: what the service is, the enter-port and search boxes, the most-asked ports, and (when the
// scan service runs) links to its tests.
page render_home_page(const db::database& db, std::span<const std::uint16_t> popular,
                      bool scan_links = false);

// /search?q=: ranked results (or just the box when there is no query), and which words were
// searched in another spelling. The page shows at most search_page_results.
inline constexpr std::size_t search_page_results = 50;
page render_search_page(const db::database& db, std::string_view query,
                        std::span<const db::search_hit> hits,
                        std::span<const db::respelling> respelled = {});

// Friendly error pages (400, 404, 405, ...): what went wrong, and ways to carry on.
page render_error_page(unsigned status, std::string_view heading, std::string_view message);

}  // namespace breakwater::site
