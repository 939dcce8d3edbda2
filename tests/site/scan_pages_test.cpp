#include "probe/wire/udp/finding.hpp"
#include "site/escape.hpp"
#include "site/page_scan.hpp"
#include "support/test_data.hpp"
#include "support/udp_results.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

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

// The items of the page's list <ul id="ID">.
std::string_view list_in(std::string_view body, std::string_view id) {
  std::size_t at = body.find(fmt::format("<ul id=\"{}\"", id));
  if (at == std::string_view::npos) return {};
  body.remove_prefix(at);
  return body.substr(0, body.find("</ul>"));
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
  EXPECT_TRUE(has(p.body, "Reason: SYN-ACK: the port accepted the connection request"));
  EXPECT_TRUE(has(p.body, "<h1>Port 443"));  // the port's own page, around it
  EXPECT_TRUE(has(p.body, "action=\"/port/443/probe\""));
  EXPECT_GT(p.body.find("id=\"state\""), p.body.find("</h1>"))
      << "the page's outline starts with its h1; the probe's h2 comes under it";
  EXPECT_FALSE(has(p.head, "refresh"));
  EXPECT_FALSE(has(p.body, "carrier-grade NAT")) << "a global address needs no note";
  v.target = "100.64.0.7";
  EXPECT_TRUE(has(render_port_probe_page(v, db, ctx).body, "carrier-grade NAT"))
      << "what open means from a CGNAT address is said here too";
}

// A router that resets every port: one finding with its advice once, not a thousand (the
// ports are all in the list of ports that answered).
TEST(scan_pages, many_closed_ports_are_summed_up_in_the_verdict) {
  db::database db = db::testing::small_database();
  scan::scan_view v = service_scan(1056);
  v.phase = scan::scan_phase::done;
  for (probe::port_result& r : v.result.ports) {
    if (r.state == port_state::stealth) r.state = port_state::closed, r.why = probe::reason::rst;
  }
  page p = render_scan_result_page(v, db, "t");
  EXPECT_TRUE(has(p.body, "1055 ports answered that they are closed, among them"));
  EXPECT_EQ(count(p.body, "Have your router or firewall drop unsolicited packets"), 1U);
  EXPECT_TRUE(has(p.body, "<strong>closed</strong> (reset)")) << "the list says how, in words";
  scan::scan_view few = service_scan(1056);
  few.phase = scan::scan_phase::done;
  EXPECT_TRUE(has(render_scan_result_page(few, db, "t").body, "<h3>Closed ports</h3><ul"))
      << "a few are listed one by one";
}

// A router that resets every port of a full range: the page lists 256 of them, the open ones
// first, and counts the rest, instead of 65,535 items (6.9 MB of page for each view).
TEST(scan_pages, a_full_range_that_answers_everywhere_lists_a_few_and_counts_the_rest) {
  db::database db = db::testing::small_database();
  scan::scan_view v = service_scan(0);
  v.kind = scan::scan_kind::full;
  v.ports = *probe::parse_port_set("all");
  v.phase = scan::scan_phase::done;
  for (unsigned port = 0; port <= 65535; ++port) {
    probe::port_result r;
    r.port = static_cast<std::uint16_t>(port);
    bool open = port == 8443 || port == 60000;
    r.state = open ? port_state::open : port_state::closed;
    r.why = open ? probe::reason::syn_ack : probe::reason::rst;
    v.result.ports.push_back(r);
  }
  v.decided = 65536;
  page p = render_scan_result_page(v, db, "t");
  std::string_view list = list_in(p.body, "answered");
  EXPECT_EQ(count(list, "<li "), 256U);
  EXPECT_LT(list.find("Port 8443"), list.find("Port 0<")) << "open ports first";
  EXPECT_NE(list.find("Port 60000"), std::string_view::npos);
  EXPECT_TRUE(has(
      p.body,
      "<p id=\"answered-more\" class=\"answered-more\">65280 more ports answered (0 open, 65280 "
      "closed) and are not listed here."));
  EXPECT_TRUE(has(p.body, "<a href=\"/api/v1/scans/Zx9_abc\">this scan's JSON</a>"));
  EXPECT_LT(p.body.size(), 200'000U);
  // 256 or fewer: all of them, in port order, and no sentence.
  v.result.ports.resize(256);
  page few = render_scan_result_page(v, db, "t");
  EXPECT_FALSE(has(few.body, "answered-more"));
  EXPECT_TRUE(has(few.body, "Port 0</a>"));
}

// Keyboard and screen-reader users jump past the grid's links to what they add up to.
// The same for UDP: a host without a firewall refuses every port of "1-65535" with ICMP.
TEST(scan_pages, a_udp_range_refused_everywhere_lists_a_few_and_counts_the_rest) {
  db::database db = db::testing::small_database();
  scan::scan_view v = testing::udp_scan();
  v.udp_ports = *probe::parse_port_set("1-65535");
  v.result.udp.clear();
  for (unsigned port = 1; port <= 65535; ++port) {
    v.result.udp.push_back(port == 53 ? testing::open_resolver()
                                      : testing::udp_closed(static_cast<std::uint16_t>(port)));
  }
  v.decided = 65535;
  page p = render_scan_result_page(v, db, "t");
  std::string_view list = list_in(p.body, "answered-udp");
  EXPECT_EQ(count(list, "<li "), 256U);
  EXPECT_LT(list.find("id=\"ua53\""), list.find("id=\"ua1\"")) << "the open port first";
  EXPECT_TRUE(has(p.body, "65279 more ports answered (0 open, 65279 closed or filtered)"));
  EXPECT_LT(p.body.size(), 300'000U);
}

TEST(scan_pages, a_link_skips_the_grid_to_the_verdict) {
  db::database db = db::testing::small_database();
  scan::scan_view v = service_scan(1056);
  v.phase = scan::scan_phase::done;
  std::string body = render_scan_result_page(v, db, "t").body;
  std::size_t skip = body.find(
      "<a class=\"skip\" href=\"#after-grid\">Skip the grid of ports: "
      "go to the verdict</a>");
  std::size_t grid = body.find("id=\"grid\"");
  std::size_t target = body.find("<div id=\"after-grid\" tabindex=\"-1\"></div>");
  std::size_t verdict = body.find("class=\"verdict");
  ASSERT_NE(skip, std::string::npos);
  ASSERT_NE(target, std::string::npos);
  EXPECT_LT(skip, grid);
  EXPECT_LT(grid, target);
  EXPECT_LT(target, verdict);
  EXPECT_TRUE(
      has(render_scan_result_page(service_scan(10), db, "t").body, "go to the ports that answered"))
      << "while it runs there is no verdict yet";
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

TEST(scan_pages, udp_cells_have_their_own_grid_never_the_tcp_cell_of_the_same_number) {
  scan::scan_view v = service_scan(100);
  v.udp_ports = *probe::parse_port_set("53,123,161,51820");
  v.result.udp = {testing::open_resolver(), testing::udp_closed(123),
                  testing::udp_filtered(161, "198.18.0.254")};
  html tcp, udp;
  scan_grid(tcp, v);
  scan_udp_grid(udp, v);
  EXPECT_TRUE(has(tcp.str(), "id=\"p53\" href=\"/port/53\" title=\"Port 53: stealth\""));
  EXPECT_FALSE(has(tcp.str(), "id=\"u53\""));
  std::string g = udp.str();
  EXPECT_TRUE(has(g, "<div class=\"grid compact numbered udp\" id=\"grid-udp\">"));
  EXPECT_TRUE(has(g, "<span class=\"tag\" aria-hidden=\"true\">UDP</span>"));
  EXPECT_TRUE(has(g,
                  "<a class=\"c st-open num\" id=\"u53\" href=\"/port/53\" data-name=\"DNS\" "
                  "title=\"UDP port 53 (DNS): open\">53</a>"));
  EXPECT_TRUE(has(g, "class=\"c st-closed num\" id=\"u123\""));
  EXPECT_TRUE(has(g, "class=\"c st-filtered num\" id=\"u161\""));
  EXPECT_TRUE(has(g, "title=\"UDP port 51820 (WireGuard): not yet tested\""));
  EXPECT_FALSE(has(g, "id=\"p"));
  EXPECT_EQ(count(g, "<a class=\"c "), 4U);

  v.phase = scan::scan_phase::done;
  v.result.udp.push_back(testing::udp_silent(51820));
  html done;
  scan_udp_grid(done, v);
  EXPECT_TRUE(has(done.str(), "title=\"UDP port 51820 (WireGuard): no answer\""));
}

TEST(scan_pages, a_udp_test_lists_answers_findings_icmp_senders_and_silence) {
  db::database db = db::testing::small_database();
  scan::scan_view v = testing::udp_scan();
  page p = render_scan_result_page(v, db, "t");
  EXPECT_EQ(p.title, "UDP services and reflectors: Finished");
  EXPECT_TRUE(has(p.body, "data-total=\"4\" data-tcp-total=\"0\" data-udp-total=\"4\""));
  EXPECT_TRUE(has(p.body, "<span id=\"decided\">4</span> of 4 ports decided"));
  EXPECT_FALSE(has(p.body, "id=\"grid\""));  // no TCP ports, no TCP grid
  EXPECT_TRUE(has(p.body, "id=\"grid-udp\""));
  EXPECT_TRUE(has(p.body, "UDP: Open <b id=\"nu-open\">1</b> · Closed <b id=\"nu-closed\">1"));
  EXPECT_TRUE(has(p.body,
                  "Filtered <b id=\"nu-filtered\">1</b> · No answer <b "
                  "id=\"nu-stealth\">1</b>"));
  // The findings table travels with the page, escaped in its attribute.
  EXPECT_TRUE(has(p.body, "data-findings=\"{&quot;open-resolver&quot;:{&quot;headline&quot;"));
  // The verdict: the reflector, in the table's words.
  EXPECT_TRUE(has(p.body, "id=\"verdict\" class=\"verdict v-bad\""));
  std::string sentence =
      "Your address answers DNS queries from anyone: it can be used to attack others "
      "(amplification x1.6).";
  EXPECT_TRUE(has(p.body, "<p class=\"headline\"><strong>" + sentence + "</strong></p>"));
  std::string advice = escape_html(probe::udp::find_finding("open-resolver")->advice);
  EXPECT_TRUE(has(p.body, "<a href=\"/port/53\">UDP port 53 (DNS)</a>: <strong>" + sentence +
                              "</strong> <em>" + advice + "</em>"));
  // The open port: protocol, sizes, amplification, summary and the answer's text, as text.
  std::size_t item = p.body.find("<li class=\"st-open\" id=\"ua53\">");
  ASSERT_NE(item, std::string::npos);
  std::string li = p.body.substr(item, p.body.find("</li>", item) - item);
  EXPECT_TRUE(has(li,
                  "<a href=\"/port/53\">UDP 53</a> DNS: <strong>open</strong> (answered, "
                  "12.3 ms)"));
  EXPECT_TRUE(has(
      li, "<p class=\"udp-finding danger\"><strong>" + sentence + "</strong> " + advice + "</p>"));
  EXPECT_TRUE(has(li,
                  "Asked in DNS: 29 bytes sent, 45 bytes back in 1 datagram: amplification "
                  "x1.6."));
  EXPECT_TRUE(has(li, "a DNS resolver open to anyone: recursion available"));
  EXPECT_TRUE(has(li,
                  "<pre class=\"udp-text\">\\x62\\x77\\x81\\x80 "
                  "&lt;script&gt;alert(1)&lt;/script&gt;</pre>"));
  EXPECT_FALSE(has(p.body, "<script>"));
  // Closed and filtered: the ICMP message, and who sent it.
  EXPECT_TRUE(has(p.body,
                  "<li class=\"st-closed\" id=\"ua123\"><a href=\"/port/123\">UDP "
                  "123</a> NTP: <strong>closed</strong> (ICMP port unreachable, 12.3 ms)"));
  EXPECT_TRUE(has(p.body,
                  "<strong>filtered</strong> (ICMP admin prohibited (from "
                  "198.18.0.254), 12.3 ms)"));
  // Open before the rest.
  EXPECT_LT(p.body.find("id=\"ua53\""), p.body.find("id=\"ua123\""));
  // Silent by design: the note and the test that can tell.
  EXPECT_TRUE(has(p.body, "<ul id=\"udp-silent\" class=\"silent\"><li id=\"us51820\">"));
  EXPECT_TRUE(has(p.body,
                  "<strong>no answer</strong>. Silence is what a healthy WireGuard port "
                  "sends"));
  EXPECT_TRUE(has(p.body, "<a href=\"/reach\">Run the reachability check</a>"));
  EXPECT_TRUE(has(p.body, "id=\"answered-udp-none\" hidden"));
}

TEST(scan_pages, tcp_and_udp_side_by_side_count_every_port) {
  db::database db = db::testing::small_database();
  scan::scan_view v = service_scan(100);
  v.udp_ports = *probe::parse_port_set("udp-common");
  v.result.udp = {testing::open_resolver()};
  v.decided = 101;
  page p = render_scan_result_page(v, db, "t");
  std::size_t udp_total = v.udp_ports.size();
  EXPECT_TRUE(has(p.body, fmt::format("<span id=\"decided\">101</span> of {} ports decided",
                                      1056 + udp_total)));
  EXPECT_TRUE(has(p.body, fmt::format("<progress id=\"bar\" max=\"{}\"", 1056 + udp_total)));
  EXPECT_TRUE(has(p.body, "<h2>TCP ports</h2>"));
  EXPECT_TRUE(has(p.body, "<h2>UDP services</h2>"));
  EXPECT_TRUE(
      has(p.body, fmt::format("Not yet tested <b id=\"nu-pending\">{}</b>", udp_total - 1)));
  EXPECT_TRUE(has(p.body, "Not yet tested <b id=\"n-pending\">956</b>"));
  EXPECT_TRUE(has(p.body, "id=\"p53\""));
  EXPECT_TRUE(has(p.body, "id=\"u53\""));
  EXPECT_TRUE(has(p.body, "<ul id=\"udp-silent\" class=\"silent\" hidden></ul>"));
  EXPECT_TRUE(has(p.body, "<p id=\"answered-udp-none\" hidden>"));
}

TEST(scan_pages, the_udp_test_on_the_choice_and_confirm_pages) {
  page choice = render_scan_choice_page("198.18.0.2");
  EXPECT_TRUE(
      has(choice.body, "<a href=\"/scan/confirm?kind=udp\">UDP services and reflectors</a>"));
  EXPECT_TRUE(has(choice.body, "DNS, TFTP, NTP"));
  EXPECT_TRUE(has(choice.body, "memcached"));
  EXPECT_TRUE(has(choice.body, "WireGuard"));
  EXPECT_TRUE(has(choice.body, "Each gets one small request in its own protocol"));
  EXPECT_TRUE(has(choice.body, "An answer means the service is reachable from the internet"));

  scan_confirmation c;
  c.order.kind = scan::scan_kind::udp;
  c.udp_count = 29;
  c.address = "198.18.0.2";
  page p = render_scan_confirm_page(c);
  EXPECT_TRUE(has(p.body, "<h1>UDP services and reflectors</h1>"));
  EXPECT_TRUE(has(p.body, "one small UDP request to each of 29 UDP ports"));
  EXPECT_FALSE(has(p.body, "TCP connection request"));
  EXPECT_FALSE(has(p.body, "name=\"udp\""));  // it is the UDP test: nothing to add
  EXPECT_TRUE(has(p.body, "name=\"kind\" value=\"udp\""));

  scan_confirmation s;
  s.order.kind = scan::scan_kind::service;
  s.port_count = 1056;
  page sp = render_scan_confirm_page(s);
  EXPECT_TRUE(has(sp.body,
                  "<input type=\"checkbox\" name=\"udp\" value=\"1\"> Also the UDP "
                  "services (udp-common)"));
  EXPECT_TRUE(has(sp.body, "With \u201calso the UDP services\u201d: one small UDP request"));
  s.order.udp = "udp-common";
  EXPECT_TRUE(has(render_scan_confirm_page(s).body, "name=\"udp\" value=\"1\" checked"));

  scan_confirmation single;
  single.order.kind = scan::scan_kind::single;
  single.order.udp = "53";
  single.udp_count = 1;
  page one = render_scan_confirm_page(single);
  EXPECT_TRUE(has(one.body, "UDP port: <code id=\"udp-ports\">53</code>"));
  EXPECT_TRUE(has(one.body,
                  "name=\"ports\" value=\"53\"><input type=\"hidden\" "
                  "name=\"transport\" value=\"udp\">"));
  EXPECT_TRUE(has(one.body, "each of 1 UDP port,"));
}

TEST(scan_pages, a_single_udp_probe_sits_on_the_port_page) {
  db::database db = db::testing::small_database();
  scan::scan_view v;
  v.id = "s2";
  v.target = "198.18.0.2";
  v.kind = scan::scan_kind::single;
  v.udp_ports = *probe::parse_port_set("53");
  v.phase = scan::scan_phase::done;
  v.result.udp = {testing::open_resolver()};
  page_context ctx;
  ctx.probe = true;
  page p = render_port_probe_page(v, db, ctx);
  EXPECT_EQ(p.title, "Probe of UDP port 53");
  EXPECT_TRUE(has(p.body, "<section id=\"scan\" class=\"probe-result st-open\""));
  EXPECT_TRUE(has(p.body, "UDP port 53 from the internet: <span id=\"state-udp\">Open</span>"));
  EXPECT_FALSE(has(p.body, "id=\"state\""));
  EXPECT_TRUE(has(p.body, "answered a DNS request on UDP port 53 (DNS)"));
  EXPECT_TRUE(has(p.body, "it can be used to attack others (amplification x1.6)."));
  EXPECT_TRUE(has(p.body, "&lt;script&gt;"));
  EXPECT_TRUE(has(p.body, "Reason: an answer (udp-answer), answered after 12.3 ms."));
  EXPECT_TRUE(has(p.body, "href=\"/port/53/probe?transport=udp\">Probe again</a>"));

  // Silent WireGuard, probed on both transports: each has its heading; the silence note
  // points to the reachability check.
  v.ports = *probe::parse_port_set("51820");
  v.udp_ports = *probe::parse_port_set("51820");
  probe::port_result tcp;
  tcp.port = 51820;
  v.result.ports = {tcp};
  v.result.udp = {testing::udp_silent(51820)};
  page both = render_port_probe_page(v, db, ctx);
  EXPECT_TRUE(has(both.body, "TCP port 51820 from the internet: <span id=\"state\">Stealth"));
  EXPECT_TRUE(has(both.body,
                  "<div class=\"probe-result probe-udp st-stealth\"><h2>UDP port "
                  "51820 from the internet: <span id=\"state-udp\">No answer"));
  EXPECT_TRUE(has(both.body, "Silence is what a healthy WireGuard port sends"));
  EXPECT_TRUE(has(both.body, "<a href=\"/reach\">Run the reachability check</a>"));
  EXPECT_TRUE(has(both.body, "Reason: no answer."));
  EXPECT_TRUE(has(both.body, "href=\"/port/51820/probe?transport=both\""));

  v.result.udp = {testing::udp_filtered(51820, "198.18.0.254")};
  EXPECT_TRUE(has(render_port_probe_page(v, db, ctx).body,
                  "Reason: ICMP admin prohibited (from 198.18.0.254)"));
}

}  // namespace
}  // namespace breakwater::site
