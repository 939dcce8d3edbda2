// The scan service's pages: choosing a test, confirming it, the live result with its grid and
// verdict, the single-port result on the port's page, refusals, and the browser headers page.
#pragma once

#include "db/database.hpp"
#include "scan/service.hpp"
#include "site/html.hpp"
#include "site/http_names.hpp"
#include "site/layout.hpp"
#include "site/origins.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace breakwater::site {

// /scan: the tests on offer and the address they will probe.
// What was wrong with the test a visitor asked for, shown above the choice again with the
// ports they typed kept in the box.
struct choice_problem {
  std::string message;
  std::string ports;
};
page render_scan_choice_page(std::string_view address, const choice_problem* problem = nullptr);

// What the confirm step shows before the visitor starts a scan.
struct scan_confirmation {
  scan::scan_order order;
  std::string address;                                // who will be probed
  std::size_t port_count = 0;                         // TCP ports in the order
  std::size_t udp_count = 0;                          // UDP ports in the order
  std::optional<std::chrono::milliseconds> estimate;  // from the service
  std::string token;                                  // CSRF token for the form
  std::string action = "/scan";                       // where the form posts
  std::chrono::minutes retention{30};
  // Both set: with JavaScript the page can run the test over IPv4 and IPv6 side by side.
  sibling_origins origins;
};
page render_scan_confirm_page(const scan_confirmation& c);

// /scan/{id}: progress, grid, counts, the list of ports that answered, ping and UPnP, verdict.
// `cancel_token` is the CSRF token for the cancel form (shown while running). `dual`: the
// site has sibling origins, so the family sentence points to the side-by-side test.
page render_scan_result_page(const scan::scan_view& v, const db::database& db,
                             std::string_view cancel_token, bool dual = false);

// A single-port scan, shown on its port's page with what the state means for that port.
page render_port_probe_page(const scan::scan_view& v, const db::database& db,
                            const page_context& ctx);

// The grid of cells (rows of 32 for an aligned range, compact otherwise, blocks of 256 ports
// for very large sets); part of the result page, separate for its tests. The TCP grid is
// "#grid" with cells "#p22"; the UDP grid "#grid-udp" with cells "#u53".
void scan_grid(html& h, const scan::scan_view& v);
void scan_udp_grid(html& h, const scan::scan_view& v);

// A refused scan: the service's message, and for 429 what fair use means here.
page render_scan_refusal_page(const scan::refusal& r);

// A form that failed its CSRF or origin check: what happened and how to carry on.
page render_form_rejected_page(std::string_view why);

// /headers: the request headers this server received and what each reveals.
// Credentials, proxy address headers and `hidden_headers` are counted, never shown.
page render_headers_page(std::span<const header_view> headers,
                         std::span<const std::string> hidden_headers = {});

// For the <head> of pages with a POST form. The site-wide Referrer-Policy no-referrer makes
// browsers send "Origin: null" on form posts, and over plain HTTP to an address they send no
// Sec-Fetch-Site either: same-origin keeps the Origin header for our own forms, and still
// sends nothing to other sites.
inline constexpr std::string_view form_page_head =
    "<meta name=\"referrer\" content=\"same-origin\">";

// "about 4 seconds", "about 3 minutes", "about 1 hour 5 minutes".
std::string describe_duration(std::chrono::milliseconds d);

}  // namespace breakwater::site
