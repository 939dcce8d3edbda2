#include "site/page_scan.hpp"
#include "support/test_data.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace breakwater::site {
namespace {

using probe::port_state;

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::size_t count(std::string_view text, std::string_view part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string_view::npos;
       at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

scan::scan_view service_scan(std::size_t decided) {
  scan::scan_view v;
  v.id = "Zx9_abc";
  v.target = "198.18.0.2";
  v.kind = scan::scan_kind::service;
  v.ports = *probe::parse_port_set("service");
  v.ping = true;
  v.upnp = true;
  v.phase = scan::scan_phase::running;
  v.started = std::chrono::system_clock::time_point(std::chrono::hours(500000));
  v.expires = v.started + std::chrono::minutes(30);
  for (std::uint16_t p = 0; p < decided; ++p) {
    probe::port_result r;
    r.port = p;
    if (p == 22) r.state = port_state::open, r.why = probe::reason::syn_ack;
    if (p == 113) r.state = port_state::closed, r.why = probe::reason::rst;
    v.result.ports.push_back(r);
  }
  v.decided = decided;
  return v;
}

TEST(scan_pages, the_grid_has_rows_of_32_and_one_link_per_port) {
  html h;
  scan_grid(h, service_scan(200));
  std::string g = h.take();
  EXPECT_EQ(count(g, "class=\"row\""), 33U);
  EXPECT_EQ(count(g, "<a class=\"c "), 1056U);
  EXPECT_TRUE(
      has(g, "<a class=\"c st-open\" id=\"p22\" href=\"/port/22\" title=\"Port 22: open\">"));
  EXPECT_TRUE(has(g, "id=\"p113\" href=\"/port/113\" title=\"Port 113: closed\""));
  EXPECT_TRUE(has(g, "<a class=\"c st-stealth\" id=\"p0\""));
  EXPECT_TRUE(has(g,
                  "<a class=\"c st-pending\" id=\"p200\" href=\"/port/200\" "
                  "title=\"Port 200: not yet tested\">"));
  EXPECT_EQ(count(g, "st-pending"), 856U);
  EXPECT_TRUE(has(g, "<span class=\"rl\" aria-hidden=\"true\">1024</span>"));
}

TEST(scan_pages, small_sets_get_a_numbered_compact_grid_and_the_full_range_blocks) {
  scan::scan_view v = service_scan(0);
  v.ports = *probe::parse_port_set("file-sharing");
  html small;
  scan_grid(small, v);
  EXPECT_TRUE(has(small.str(), "grid compact numbered"));
  EXPECT_TRUE(has(small.str(), "title=\"Port 445: not yet tested\">445</a>"));
  EXPECT_EQ(count(small.str(), "<a class=\"c "), 4U);

  v.ports = *probe::parse_port_set("all");
  v.kind = scan::scan_kind::full;
  probe::port_result open;
  open.port = 300;
  open.state = port_state::open;
  v.result.ports = {open};
  html full;
  scan_grid(full, v);
  EXPECT_EQ(count(full.str(), "<a class=\"c "), 256U);
  EXPECT_TRUE(has(full.str(),
                  "<a class=\"c st-open\" id=\"b1\" data-n=\"256\" href=\"/port/256\" "
                  "title=\"Ports 256-511: 1 open, 0 closed, 0 stealth, 255 not yet "
                  "tested\">"));
  EXPECT_LT(full.str().size(), 40000U);

  v.phase = scan::scan_phase::cancelled;  // what was left undecided will not be tested now
  html stopped;
  scan_grid(stopped, v);
  EXPECT_TRUE(has(stopped.str(), "0 stealth, 255 not tested\">"));
  EXPECT_FALSE(has(stopped.str(), "not yet tested"));
}

TEST(scan_pages, a_running_scan_refreshes_without_javascript_and_offers_cancel) {
  db::database db = db::testing::small_database();
  page p = render_scan_result_page(service_scan(200), db, "tok.en");
  EXPECT_TRUE(has(p.head, "<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>"));
  EXPECT_TRUE(has(p.head, "/static/scan."));
  EXPECT_TRUE(has(p.body, "data-events=\"/api/v1/scans/Zx9_abc/events\""));
  EXPECT_TRUE(has(p.body, "Probing <strong id=\"target\">198.18.0.2</strong>"));
  EXPECT_TRUE(has(p.body, "<span id=\"decided\">200</span> of 1056 ports decided"));
  EXPECT_TRUE(has(p.body, "action=\"/scan/Zx9_abc/cancel\""));
  EXPECT_TRUE(has(p.body, "name=\"csrf\" value=\"tok.en\""));
  EXPECT_TRUE(has(p.body, "Open <b id=\"n-open\">1</b>"));
  EXPECT_TRUE(has(p.body, "Closed <b id=\"n-closed\">1</b>"));
  EXPECT_TRUE(has(p.body, "Stealth <b id=\"n-stealth\">198</b>"));
  EXPECT_TRUE(has(p.body, "Not yet tested <b id=\"n-pending\">856</b>"));
  EXPECT_TRUE(has(p.body, "<a href=\"/port/22\">Port 22</a> SSH: <strong>open</strong>"));
  EXPECT_TRUE(has(p.body, "<a href=\"/port/113\">Port 113</a>: <strong>closed</strong>"));
  EXPECT_TRUE(has(p.body, "kept in memory only for 30 minutes"));
  EXPECT_FALSE(has(p.body, "id=\"verdict\""));  // not before the end
  EXPECT_TRUE(has(p.body, "Legend"));
}

TEST(scan_pages, a_finished_scan_shows_the_verdict_and_stops_refreshing) {
  db::database db = db::testing::small_database();
  scan::scan_view v = service_scan(1056);
  v.phase = scan::scan_phase::done;
  probe::ping_result ping;
  ping.permitted = true;
  ping.sent = 3;
  v.result.ping = ping;
  v.result.upnp = probe::upnp_result{};
  page p = render_scan_result_page(v, db, "t");
  EXPECT_FALSE(has(p.head, "refresh"));
  EXPECT_FALSE(has(p.body, "/cancel"));
  EXPECT_TRUE(has(p.body, "id=\"verdict\" class=\"verdict v-bad\""));
  EXPECT_TRUE(has(p.body, "<a href=\"/port/22#entry\">Port 22 (SSH)</a>"));
  EXPECT_TRUE(has(p.body, "No answer to 3 ping requests"));
  EXPECT_TRUE(has(p.body, "No answer to UPnP discovery"));
  EXPECT_TRUE(has(p.body, "What to do"));
}

TEST(scan_pages, everything_a_router_or_visitor_sends_is_escaped) {
  db::database db = db::testing::small_database();
  scan::scan_view v = service_scan(1056);
  v.id = "<id>";
  v.target = "<b>addr</b>";
  v.phase = scan::scan_phase::done;
  probe::upnp_result u;
  u.answered = true;
  u.from = "198.18.0.2:1900\"><script>";
  u.status_line = "HTTP/1.1 200 <OK>";
  u.headers = {{"SERVER", "<script>alert('x')</script>"}, {"LOCATION", "http://x/\"onmouseover=1"}};
  v.result.upnp = u;
  page p = render_scan_result_page(v, db, "\"><script>");
  EXPECT_FALSE(has(p.body, "<script"));
  EXPECT_FALSE(has(p.body, "<b>addr"));
  EXPECT_FALSE(has(p.body, "<id>"));
  EXPECT_FALSE(has(p.body, "\"onmouseover"));
  EXPECT_TRUE(has(p.body, "SERVER: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_TRUE(has(p.body, "Your router answered UPnP discovery from the internet."));

  std::vector<header_view> headers{{"User-Agent", "<img src=x onerror=alert(1)>"},
                                   {"X-<Evil>", "\"'&"},
                                   {"Cookie", "session=secret"}};
  page hp = render_headers_page(headers);
  EXPECT_FALSE(has(hp.body, "<img"));
  EXPECT_FALSE(has(hp.body, "<Evil>"));
  EXPECT_TRUE(has(hp.body, "&quot;&#39;&amp;"));
  EXPECT_FALSE(has(hp.body, "secret"));  // cookie values are not shown
  EXPECT_TRUE(has(hp.body, "(14 bytes, not shown)"));

  scan_confirmation c;
  c.order.kind = scan::scan_kind::custom;
  c.order.ports = "22\"><script>";
  c.address = "<a>";
  c.token = "\"'";
  page cp = render_scan_confirm_page(c);
  EXPECT_FALSE(has(cp.body, "<script"));
  EXPECT_FALSE(has(cp.body, "<a>"));
}

TEST(scan_pages, the_confirm_page_states_address_probes_duration_and_posts_a_token) {
  scan_confirmation c;
  c.order.kind = scan::scan_kind::full;
  c.order.ping = true;
  c.port_count = 65536;
  c.address = "2001:2::2";
  c.estimate = std::chrono::minutes(12);
  c.token = "5.abc";
  page p = render_scan_confirm_page(c);
  EXPECT_TRUE(has(p.body, "<strong id=\"target\">2001:2::2</strong>"));
  EXPECT_TRUE(has(p.body, "each of the 65536 ports"));
  EXPECT_TRUE(has(p.body, "sent a reset at once"));
  EXPECT_TRUE(has(p.body, "ICMP echo"));
  EXPECT_TRUE(has(p.body, "M-SEARCH request to UDP port 1900"));
  EXPECT_TRUE(has(p.body, "About 12 minutes."));
  EXPECT_TRUE(has(p.body, "<form class=\"start\" method=\"post\" action=\"/scan\">"));
  EXPECT_TRUE(has(p.head, "<meta name=\"referrer\" content=\"same-origin\">"));
  EXPECT_TRUE(has(p.body, "name=\"csrf\" value=\"5.abc\""));
  EXPECT_TRUE(has(p.body, "name=\"kind\" value=\"full\""));
  EXPECT_TRUE(has(p.body, "name=\"ping\" value=\"1\" checked"));
  EXPECT_TRUE(has(p.body, "name=\"upnp\" value=\"1\">"));
}

TEST(scan_pages, single_port_result_sits_on_the_port_page) {
  db::database db = db::testing::small_database();
  scan::scan_view v;
  v.id = "s1";
  v.target = "198.18.0.2";
  v.kind = scan::scan_kind::single;
  v.ports = *probe::parse_port_set("443");
  v.phase = scan::scan_phase::done;
  probe::port_result r;
  r.port = 443;
  r.state = port_state::open;
  r.why = probe::reason::syn_ack;
  r.rtt = std::chrono::microseconds(38100);
  v.result.ports = {r};
  page_context ctx;
  ctx.probe = true;
  page p = render_port_probe_page(v, db, ctx);
  EXPECT_EQ(p.title, "Probe of port 443");
  EXPECT_TRUE(has(p.body, "Port 443 from the internet: <span id=\"state\">Open</span>"));
  EXPECT_TRUE(has(p.body, "accepted a connection on port 443:"));
  EXPECT_TRUE(has(p.body, "answered after 38.1 ms"));
  EXPECT_TRUE(has(p.body, "<h1>Port 443"));  // the port's own page follows
  EXPECT_TRUE(has(p.body, "action=\"/port/443/probe\""));
  EXPECT_LT(p.body.find("id=\"state\""), p.body.find("<h1>"));
  EXPECT_FALSE(has(p.head, "refresh"));
}

TEST(scan_pages, refusals_explain_fair_use) {
  scan::refusal r{429, "scan_running", "A scan of your address is already running.",
                  std::chrono::seconds(120)};
  page p = render_scan_refusal_page(r);
  EXPECT_TRUE(has(p.body, "A scan of your address is already running."));
  EXPECT_TRUE(has(p.body, "Fair use"));
  EXPECT_TRUE(has(p.body, "try again in 2 minutes"));
  EXPECT_EQ(describe_duration(std::chrono::milliseconds(4000)), "about 4 seconds");
  EXPECT_EQ(describe_duration(std::chrono::minutes(65)), "about 1 hour 5 minutes");
}

}  // namespace
}  // namespace breakwater::site
