#include "site/scan_routes.hpp"
#include "support/fake_scan_service.hpp"
#include "support/test_data.hpp"
#include "support/udp_results.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

using namespace std::chrono_literals;

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string header_of(const response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

class scan_routes_test : public ::testing::Test {
 protected:
  scan_routes_test() : db_(db::testing::small_database()), index_(db_), site_(db_, index_, {}) {
    scan_page_options o;
    o.clock = [this] { return now_; };
    o.guard = guard_;
    add_scan_page_routes(site_, service_, db_, o);
    conn_.client_address = "198.18.0.2";
  }

  handled send(method m, std::string_view target, std::string_view body = {},
               std::vector<header_view> extra = {}) {
    headers_ = {{"Host", "198.18.0.1:8080"}};
    for (const header_view& h : extra) headers_.push_back(h);
    req_ = {};
    req_.verb = m;
    req_.target = target;
    std::size_t q = target.find('?');
    req_.path = target.substr(0, q);
    if (q != std::string_view::npos) req_.query = target.substr(q + 1);
    req_.headers = headers_;
    req_.body = body;
    req_.conn = &conn_;
    return site_.handle(req_);
  }

  std::string token() { return guard_->issue(conn_.client_address, now_); }
  // The form token a page carries: masked afresh on every page, valid for this visitor.
  bool carries_valid_token(const std::string& body) {
    std::string marker = "name=\"csrf\" value=\"";
    std::size_t at = body.find(marker);
    if (at == std::string::npos) return false;
    at += marker.size();
    std::string t = body.substr(at, body.find('"', at) - at);
    return guard_->check(t, conn_.client_address, now_);
  }

  db::database db_;
  db::search_index index_;
  website site_;
  testing::fake_scan_service service_;
  std::shared_ptr<csrf_guard> guard_ = std::make_shared<csrf_guard>("k", 1h);
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(1'800'000'000s);
  connection_info conn_;
  std::vector<header_view> headers_;
  request req_;
  std::string body_;
};

TEST_F(scan_routes_test, the_choice_page_names_the_visitor_and_is_never_cached) {
  handled r = send(method::get, "/scan");
  EXPECT_EQ(r.res.status, 200U);
  EXPECT_EQ(r.res.cache, cache_policy::no_store);
  EXPECT_FALSE(r.res.shareable);
  EXPECT_TRUE(has(r.res.body, "<strong id=\"target\">198.18.0.2</strong>"));
  EXPECT_TRUE(has(r.res.body, "href=\"/scan/confirm?kind=service\""));
  EXPECT_TRUE(has(r.res.body, "href=\"/headers\""));
  EXPECT_TRUE(has(r.res.body, "href=\"/reach\""));  // the reach test, for one machine
  EXPECT_TRUE(has(r.res.body, "<a href=\"/scan\" aria-current=\"true\">Scan</a>"));
}

TEST_F(scan_routes_test, home_and_port_pages_link_the_tests) {
  handled home = send(method::get, "/");
  EXPECT_TRUE(has(home.res.body, "id=\"home-tests\""));
  handled port = send(method::get, "/port/22");
  EXPECT_TRUE(port.res.shareable);  // the same for everyone: no token on it
  EXPECT_TRUE(has(port.res.body,
                  "<form class=\"probe\" id=\"probe\" method=\"get\" "
                  "action=\"/port/22/probe\">"));
}

TEST_F(scan_routes_test, confirm_pages_carry_a_token_for_this_visitor) {
  handled r = send(method::get, "/scan/confirm?kind=custom&ports=22%2C+80-90");
  EXPECT_EQ(r.res.status, 200U);
  EXPECT_FALSE(r.res.shareable);
  EXPECT_TRUE(carries_valid_token(r.res.body));
  EXPECT_TRUE(has(r.res.body, "<code id=\"ports\">22, 80-90</code>"));
  EXPECT_TRUE(has(r.res.body, "each of the 12 ports"));
  handled full = send(method::get, "/scan/confirm?kind=full");
  EXPECT_TRUE(has(full.res.body, "About 12 minutes."));
  handled single = send(method::get, "/port/443/probe");
  EXPECT_TRUE(has(single.res.body, "name=\"kind\" value=\"single\""));
  EXPECT_TRUE(has(single.res.body, "name=\"ports\" value=\"443\""));
  EXPECT_FALSE(has(single.res.body, "name=\"ping\""));
}

TEST_F(scan_routes_test, bad_choices_get_a_400_that_explains) {
  handled bad_kind = send(method::get, "/scan/confirm?kind=everything");
  EXPECT_EQ(bad_kind.res.status, 400U);
  handled bad_ports = send(method::get, "/scan/confirm?kind=custom&ports=80-70");
  EXPECT_EQ(bad_ports.res.status, 400U);
  EXPECT_TRUE(has(bad_ports.res.body, "80-70"));
  handled no_ports = send(method::get, "/scan/confirm?kind=custom");
  EXPECT_EQ(no_ports.res.status, 400U);
  EXPECT_EQ(send(method::get, "/port/70000/probe").res.status, 404U);
}

// A mistyped port list comes back on the choice page, with what was wrong beside the box and
// the text as typed, not on a page with no way back to the form (a review's finding).
TEST_F(scan_routes_test, a_bad_port_list_comes_back_in_the_form_to_mend) {
  handled r = send(method::get, "/scan/confirm?kind=custom&ports=22%2Cabc");
  EXPECT_EQ(r.res.status, 400U);
  EXPECT_TRUE(has(r.res.body, "id=\"scan-problem\"")) << r.res.body;
  EXPECT_TRUE(has(r.res.body, "<strong>That test cannot start:</strong> B")) << "sentence case";
  EXPECT_TRUE(has(r.res.body,
                  "value=\"22,abc\" aria-invalid=\"true\" "
                  "aria-describedby=\"scan-problem\""))
      << r.res.body;
  handled hostile = send(method::get, "/scan/confirm?kind=custom&ports=%22%3E%3Cscript%3E");
  EXPECT_EQ(hostile.res.status, 400U);
  EXPECT_FALSE(has(hostile.res.body, "\"><script>")) << "what was typed is escaped";
  handled kind = send(method::get, "/scan/confirm?kind=everything");
  EXPECT_TRUE(has(kind.res.body, "id=\"tests\"")) << "the tests to choose from are right there";
}

TEST_F(scan_routes_test, a_post_with_a_good_token_starts_the_scan_and_redirects) {
  body_ = "csrf=" + token() + "&kind=service&ping=1";
  handled r = send(method::post, "/scan", body_, {{"Origin", "http://198.18.0.1:8080"}});
  EXPECT_EQ(r.res.status, 303U);
  EXPECT_EQ(header_of(r.res, "Location"), "/scan/scan1");
  ASSERT_EQ(service_.starts.size(), 1U);
  EXPECT_EQ(service_.starts[0].who.address, "198.18.0.2");
  EXPECT_EQ(service_.starts[0].order.kind, scan::scan_kind::service);
  EXPECT_TRUE(service_.starts[0].order.ping);
  EXPECT_FALSE(service_.starts[0].order.upnp);
}

TEST_F(scan_routes_test, nothing_in_the_form_or_headers_changes_the_target) {
  body_ = "csrf=" + token() + "&kind=single&ports=22&target=203.0.113.9&address=203.0.113.9";
  handled r = send(method::post, "/scan", body_,
                   {{"X-Forwarded-For", "203.0.113.9"}, {"Forwarded", "for=203.0.113.9"}});
  EXPECT_EQ(r.res.status, 303U);
  ASSERT_EQ(service_.starts.size(), 1U);
  EXPECT_EQ(service_.starts[0].who.address, "198.18.0.2");
  EXPECT_EQ(service_.starts[0].order.ports, "22");
}

TEST_F(scan_routes_test, posts_without_a_valid_token_or_from_another_site_get_403) {
  std::string other_address = guard_->issue("198.18.0.3", now_);
  for (const std::string& body : std::vector<std::string>{
           "kind=service", "csrf=junk&kind=service", "csrf=" + other_address + "&kind=service"}) {
    handled r = send(method::post, "/scan", body);
    EXPECT_EQ(r.res.status, 403U) << body;
    EXPECT_TRUE(has(r.res.body, "security token")) << body;
  }
  body_ = "csrf=" + token() + "&kind=service";
  handled cross = send(method::post, "/scan", body_, {{"Origin", "http://evil.example"}});
  EXPECT_EQ(cross.res.status, 403U);
  EXPECT_TRUE(has(cross.res.body, "another site"));
  now_ += 3h;  // the token expired
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 403U);
  EXPECT_TRUE(service_.starts.empty());
}

TEST_F(scan_routes_test, refusals_keep_their_status_and_retry_after) {
  body_ = "csrf=" + token() + "&kind=service";
  service_.next_refusal = scan::refusal{429, "scan_running", "One scan at a time, please.", 30s};
  handled busy = send(method::post, "/scan", body_);
  EXPECT_EQ(busy.res.status, 429U);
  EXPECT_EQ(header_of(busy.res, "Retry-After"), "30");
  EXPECT_TRUE(has(busy.res.body, "One scan at a time, please."));
  EXPECT_TRUE(has(busy.res.body, "Fair use"));
  service_.next_refusal = scan::refusal{403, "target_not_allowed", "Loopback is not probed.", 0s};
  handled forbidden = send(method::post, "/scan", body_);
  EXPECT_EQ(forbidden.res.status, 403U);
  EXPECT_EQ(header_of(forbidden.res, "Retry-After"), "");
  body_ = "csrf=" + token() + "&kind=custom&ports=99999";
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 400U);
  service_.estimate_refusal =
      scan::refusal{403, "target_not_allowed", "Loopback is not probed.", 0s};
  EXPECT_EQ(send(method::get, "/scan/confirm?kind=common").res.status, 403U);
}

TEST_F(scan_routes_test, results_are_visible_to_their_owner_only) {
  body_ = "csrf=" + token() + "&kind=service";
  send(method::post, "/scan", body_);
  handled mine = send(method::get, "/scan/scan1");
  EXPECT_EQ(mine.res.status, 200U);
  EXPECT_EQ(mine.res.cache, cache_policy::no_store);
  EXPECT_FALSE(mine.res.shareable);
  EXPECT_TRUE(has(mine.res.body, "id=\"grid\""));
  EXPECT_TRUE(carries_valid_token(mine.res.body));  // the cancel form
  handled unknown = send(method::get, "/scan/nope");
  EXPECT_EQ(unknown.res.status, 404U);
  EXPECT_TRUE(has(unknown.res.body, "No such scan"));
  EXPECT_TRUE(has(unknown.res.body, "it was lost when its server stopped. Start the test again."));
  conn_.client_address = "198.18.0.3";
  EXPECT_EQ(send(method::get, "/scan/scan1").res.status, 404U);
}

TEST_F(scan_routes_test, cancel_needs_the_token_and_the_owner) {
  body_ = "csrf=" + token() + "&kind=service";
  send(method::post, "/scan", body_);
  body_ = "csrf=" + token();
  const std::size_t snapshots = service_.snapshots;
  handled r = send(method::post, "/scan/scan1/cancel", body_);
  EXPECT_EQ(r.res.status, 303U);
  EXPECT_EQ(header_of(r.res, "Location"), "/scan/scan1");
  EXPECT_EQ(service_.cancelled.size(), 1U);
  // A running scan is stopped without a snapshot of its verdicts.
  EXPECT_EQ(service_.snapshots, snapshots);
  EXPECT_EQ(send(method::post, "/scan/scan1/cancel", "csrf=bad").res.status, 403U);
  conn_.client_address = "198.18.0.3";
  body_ = "csrf=" + token();
  EXPECT_EQ(send(method::post, "/scan/scan1/cancel", body_).res.status, 404U);
  EXPECT_EQ(service_.cancelled.size(), 1U);
}

TEST_F(scan_routes_test, cancelling_an_ended_scan_shows_it) {
  body_ = "csrf=" + token() + "&kind=service";
  send(method::post, "/scan", body_);
  service_.scans["scan1"].phase = scan::scan_phase::done;
  body_ = "csrf=" + token();
  handled r = send(method::post, "/scan/scan1/cancel", body_);
  EXPECT_EQ(r.res.status, 303U);
  EXPECT_EQ(header_of(r.res, "Location"), "/scan/scan1");
  EXPECT_TRUE(service_.cancelled.empty());
  EXPECT_EQ(send(method::post, "/scan/nosuch/cancel", body_).res.status, 404U);
}

TEST_F(scan_routes_test, a_single_port_probe_shows_on_its_port_page) {
  body_ = "csrf=" + token() + "&kind=single&ports=443";
  handled r = send(method::post, "/scan", body_);
  EXPECT_EQ(header_of(r.res, "Location"), "/scan/scan1");
  probe::port_result pr;
  pr.port = 443;
  pr.state = probe::port_state::closed;
  pr.why = probe::reason::rst;
  service_.scans["scan1"].result.ports = {pr};
  service_.scans["scan1"].phase = scan::scan_phase::done;
  handled page = send(method::get, "/scan/scan1");
  EXPECT_TRUE(has(page.res.body, "<span id=\"state\">Closed</span>"));
  EXPECT_TRUE(has(page.res.body, "<h1>Port 443"));
  body_ = "csrf=" + token() + "&kind=single&ports=1-2";
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 400U);
}

TEST_F(scan_routes_test, the_headers_page_shows_what_was_sent) {
  handled r = send(method::get, "/headers", {}, {{"User-Agent", "test <agent>"}, {"DNT", "1"}});
  EXPECT_EQ(r.res.status, 200U);
  EXPECT_FALSE(r.res.shareable);
  EXPECT_TRUE(has(r.res.body, "test &lt;agent&gt;"));
  EXPECT_TRUE(has(r.res.body, "Do Not Track"));
  EXPECT_TRUE(has(r.res.body, "No sec-gpc header."));
}

TEST_F(scan_routes_test, the_udp_test_and_the_udp_checkbox_reach_the_order) {
  handled confirm = send(method::get, "/scan/confirm?kind=udp");
  EXPECT_EQ(confirm.res.status, 200U);
  EXPECT_TRUE(has(confirm.res.body, "one small UDP request to each of 29 UDP ports"));
  EXPECT_TRUE(carries_valid_token(confirm.res.body));
  handled service = send(method::get, "/scan/confirm?kind=service");
  EXPECT_TRUE(has(service.res.body, "name=\"udp\" value=\"1\"> Also the UDP services"));

  body_ = "csrf=" + token() + "&kind=udp";
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 303U);
  body_ = "csrf=" + token() + "&kind=service&ping=1&udp=1";
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 303U);
  body_ = "csrf=" + token() + "&kind=custom&ports=22&udp=on";
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 303U);
  body_ = "csrf=" + token() + "&kind=udp&udp=1&ping=1";  // a test of its own: nothing added
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 303U);
  ASSERT_EQ(service_.starts.size(), 4U);
  EXPECT_EQ(service_.starts[0].order.kind, scan::scan_kind::udp);
  EXPECT_EQ(service_.starts[0].order.udp, "");
  EXPECT_EQ(service_.starts[1].order.kind, scan::scan_kind::service);
  EXPECT_EQ(service_.starts[1].order.udp, "udp-common");
  EXPECT_TRUE(service_.starts[1].order.ping);
  EXPECT_EQ(service_.starts[2].order.udp, "udp-common");
  EXPECT_EQ(service_.starts[2].order.ports, "22");
  EXPECT_EQ(service_.starts[3].order.udp, "");
  EXPECT_FALSE(service_.starts[3].order.ping);
  // Without the token, the checkbox starts nothing.
  EXPECT_EQ(send(method::post, "/scan", "kind=service&udp=1").res.status, 403U);
  EXPECT_EQ(service_.starts.size(), 4U);
}

TEST_F(scan_routes_test, a_single_port_probe_can_be_udp_or_both) {
  handled udp = send(method::get, "/port/53/probe?transport=udp");
  EXPECT_EQ(udp.res.status, 200U);
  EXPECT_TRUE(has(udp.res.body, "UDP port: <code id=\"udp-ports\">53</code>"));
  EXPECT_TRUE(has(udp.res.body, "name=\"transport\" value=\"udp\""));
  EXPECT_FALSE(has(udp.res.body, "SYN packet"));
  handled both = send(method::get, "/port/53/probe?transport=both");
  EXPECT_TRUE(has(both.res.body, "name=\"transport\" value=\"both\""));
  EXPECT_TRUE(has(both.res.body, "TCP ports: <code id=\"ports\">53</code>"));
  EXPECT_EQ(send(method::get, "/port/53/probe?transport=sctp").res.status, 400U);
  EXPECT_EQ(send(method::get, "/port/53/probe?transport=").res.status, 400U);

  for (std::string_view t : {"udp", "both", "tcp"}) {
    body_ = "csrf=" + token() + "&kind=single&ports=53&transport=" + std::string(t);
    EXPECT_EQ(send(method::post, "/scan", body_).res.status, 303U) << t;
  }
  ASSERT_EQ(service_.starts.size(), 3U);
  EXPECT_EQ(service_.starts[0].order.ports, "");
  EXPECT_EQ(service_.starts[0].order.udp, "53");
  EXPECT_EQ(service_.starts[1].order.ports, "53");
  EXPECT_EQ(service_.starts[1].order.udp, "53");
  EXPECT_EQ(service_.starts[2].order.udp, "");
  body_ = "csrf=" + token() + "&kind=single&ports=53&transport=icmp";
  handled bad = send(method::post, "/scan", body_);
  EXPECT_EQ(bad.res.status, 400U);
  EXPECT_TRUE(has(bad.res.body, "TCP, UDP or both"));
  body_ = "csrf=" + token() + "&kind=single&ports=53-54&transport=udp";
  EXPECT_EQ(send(method::post, "/scan", body_).res.status, 400U);
  EXPECT_EQ(service_.starts.size(), 3U);

  // The result page of the UDP probe, with the scripted verdict.
  service_.scans["scan1"].result.udp = {testing::udp_closed(53)};
  service_.scans["scan1"].phase = scan::scan_phase::done;
  handled page = send(method::get, "/scan/scan1");
  EXPECT_TRUE(has(page.res.body, "<span id=\"state-udp\">Closed</span>"));
}

}  // namespace
}  // namespace breakwater::site
