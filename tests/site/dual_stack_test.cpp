// Both address families side by side: the sibling origins (validation, CORS, the cross-site
// refusal) and the finding in words from two results.
#include "site/dual_stack.hpp"
#include "http/host_rules.hpp"
#include "site/api_scans.hpp"
#include "site/csrf.hpp"
#include "site/origins.hpp"
#include "site/scan_routes.hpp"
#include "support/fake_scan_service.hpp"
#include "support/test_data.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace breakwater::site {
namespace {

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::vector<std::string> headers_named(const response& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : r.headers) {
    if (n == name) out.push_back(v);
  }
  return out;
}

std::string header_of(const response& r, std::string_view name) {
  auto all = headers_named(r, name);
  return all.empty() ? std::string() : all.front();
}

// The normalised origin, or the error for the test's message.
std::string norm(std::string_view url) {
  auto r = normalise_origin(url);
  return r ? *r : "error: " + r.error().message;
}

const sibling_origins siblings{"http://v4.ports.test:8080", "http://v6.ports.test:8080"};

TEST(origins, urls_are_normalised_to_the_form_browsers_send) {
  EXPECT_EQ(norm("HTTPS://V4.Ports.Test/"), "https://v4.ports.test");
  EXPECT_EQ(norm("https://v4.ports.test:443"), "https://v4.ports.test");
  EXPECT_EQ(norm("http://v4.ports.test:80"), "http://v4.ports.test");
  EXPECT_EQ(norm("http://v6.ports.test:8080"), "http://v6.ports.test:8080");
  EXPECT_EQ(norm("http://[2001:DB8::1]:8080/"), "http://[2001:db8::1]:8080");
  EXPECT_EQ(norm("http://198.51.100.7"), "http://198.51.100.7");
  EXPECT_EQ(norm("http://v4.ports.test:080"), "http://v4.ports.test");
}

TEST(origins, anything_but_scheme_host_and_port_is_refused_with_the_reason) {
  struct bad_case {
    std::string_view url, says;
  };
  for (const bad_case& c : std::vector<bad_case>{
           {"v4.ports.test", "not an absolute http:// or https:// URL"},
           {"ftp://v4.ports.test", "not an absolute"},
           {"https://v4.ports.test/scan", "has a path or query"},
           {"https://v4.ports.test/?x=1", "has a path or query"},
           {"https://v4.ports.test#top", "has a path or query"},
           {"https://user@v4.ports.test", "user name"},
           {"https://", "names no host"},
           {"https://v4.ports.test:99999", "is not a port"},
           {"https://v4.ports.test:0", "is not a port"},
           {"https://bad_name!.test", "neither a DNS name nor an IP address"},
           {"https://2001:db8::1/", "must be written in brackets"},
           {"https://[", "names no host"},
           {"https://[198.51.100.7]", "only an IPv6 address goes in brackets"},
       }) {
    auto r = normalise_origin(c.url);
    ASSERT_FALSE(r.has_value()) << c.url;
    EXPECT_TRUE(has(r.error().message, c.says)) << c.url << ": " << r.error().message;
  }
}

struct origin_case {
  std::vector<header_view> headers;
  bool ok;
};

TEST(origins, same_origin_accepts_exactly_the_sibling_origins_and_server_names) {
  http::host_rules names({"ports.test", "v4.ports.test", "v6.ports.test"});
  connection_info conn;
  conn.hosts = &names;
  std::vector<origin_case> cases{
      // The dual-stack page on ports.test calling the IPv4 name's API: same-site.
      {{{"Host", "v4.ports.test:8080"},
        {"Origin", "http://ports.test:8080"},
        {"Sec-Fetch-Site", "same-site"}},
       true},
      // A page on one sibling origin calling the other.
      {{{"Host", "v6.ports.test:8080"},
        {"Origin", "http://v4.ports.test:8080"},
        {"Sec-Fetch-Site", "same-site"}},
       true},
      // Another page of the same registrable domain is not this site.
      {{{"Host", "v4.ports.test:8080"},
        {"Origin", "http://blog.ports.test"},
        {"Sec-Fetch-Site", "same-site"}},
       false},
      // A sibling's name on another port or scheme is another origin.
      {{{"Host", "v4.ports.test:8080"},
        {"Origin", "https://v4.ports.test:8080"},
        {"Sec-Fetch-Site", "cross-site"}},
       false},
      {{{"Host", "v4.ports.test:8080"},
        {"Origin", "http://attacker.example"},
        {"Sec-Fetch-Site", "cross-site"}},
       false},
      {{{"Host", "v4.ports.test:8080"}, {"Origin", "null"}, {"Sec-Fetch-Site", "cross-site"}},
       false},
  };
  for (const origin_case& c : cases) {
    request req;
    req.headers = c.headers;
    req.conn = &conn;
    EXPECT_EQ(same_origin(req, siblings), c.ok) << c.headers[1].value;
  }
  // Without both siblings configured nothing changes: same-site is refused.
  request req;
  req.headers = cases[0].headers;
  req.conn = &conn;
  EXPECT_FALSE(same_origin(req));
  EXPECT_FALSE(same_origin(req, sibling_origins{siblings.ipv4, ""}));
}

// The scan API on a sibling origin, as a browser calls it from this site's pages.
class cors_test : public ::testing::Test {
 protected:
  cors_test() : db_(db::testing::small_database()), index_(db_), site_(db_, index_, options()) {
    add_scan_api_routes(site_, service_);
    add_scan_page_routes(site_, service_, db_);
    conn_.client_address = "2001:db8::1234";
    conn_.hosts = &names_;
  }

  static site_options options() {
    site_options o;
    o.origins = siblings;
    return o;
  }

  handled send(method m, std::string_view path, std::vector<header_view> extra,
               std::string_view body = {}) {
    headers_ = {{"Host", "v6.ports.test:8080"}};
    for (const header_view& h : extra) headers_.push_back(h);
    req_ = {};
    req_.verb = m;
    req_.target = path;
    std::size_t q = path.find('?');
    req_.path = path.substr(0, q);
    if (q != std::string_view::npos) req_.query = path.substr(q + 1);
    req_.headers = headers_;
    req_.body = body;
    req_.conn = &conn_;
    return site_.handle(req_);
  }

  db::database db_;
  db::search_index index_;
  website site_;
  testing::fake_scan_service service_;
  http::host_rules names_{{"ports.test", "v4.ports.test", "v6.ports.test"}};
  connection_info conn_;
  std::vector<header_view> headers_;
  request req_;
};

TEST_F(cors_test, an_allowed_origin_is_echoed_with_vary_and_without_credentials) {
  handled r = send(method::post, "/api/v1/scans",
                   {{"Origin", "http://ports.test:8080"},
                    {"Sec-Fetch-Site", "same-site"},
                    {"Content-Type", "application/json"}},
                   R"({"ports":"22,80"})");
  EXPECT_EQ(r.res.status, 202U);
  EXPECT_EQ(header_of(r.res, "Access-Control-Allow-Origin"), "http://ports.test:8080");
  EXPECT_EQ(header_of(r.res, "Vary"), "Origin");
  EXPECT_TRUE(headers_named(r.res, "Access-Control-Allow-Credentials").empty());
  ASSERT_EQ(service_.starts.size(), 1U);
  EXPECT_EQ(service_.starts[0].who.address, "2001:db8::1234");  // the connection's own

  handled events = send(method::get, "/api/v1/scans/scan1",
                        {{"Origin", "http://v4.ports.test:8080"}, {"Sec-Fetch-Site", "same-site"}});
  EXPECT_EQ(header_of(events.res, "Access-Control-Allow-Origin"), "http://v4.ports.test:8080");
}

TEST_F(cors_test, a_foreign_origin_gets_no_grant_and_cannot_start_a_scan) {
  handled r = send(method::post, "/api/v1/scans",
                   {{"Origin", "http://attacker.example"},
                    {"Sec-Fetch-Site", "cross-site"},
                    {"Content-Type", "application/json"}},
                   R"({"ports":"22"})");
  EXPECT_EQ(r.res.status, 403U);
  EXPECT_TRUE(has(r.res.body, "cross_site"));
  EXPECT_TRUE(headers_named(r.res, "Access-Control-Allow-Origin").empty());
  EXPECT_EQ(header_of(r.res, "Vary"), "Origin");
  EXPECT_TRUE(service_.starts.empty());
  // Pages and the port API are never granted to anybody.
  handled page = send(method::get, "/api/v1/ports/22", {{"Origin", "http://ports.test:8080"}});
  EXPECT_TRUE(headers_named(page.res, "Access-Control-Allow-Origin").empty());
}

TEST_F(cors_test, preflight_is_answered_for_allowed_origins_only) {
  handled ok = send(method::options, "/api/v1/scans",
                    {{"Origin", "http://ports.test:8080"},
                     {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(ok.res.status, 204U);
  EXPECT_EQ(header_of(ok.res, "Access-Control-Allow-Origin"), "http://ports.test:8080");
  EXPECT_TRUE(has(header_of(ok.res, "Access-Control-Allow-Methods"), "POST"));
  EXPECT_TRUE(has(header_of(ok.res, "Access-Control-Allow-Headers"), "Content-Type"));
  EXPECT_EQ(header_of(ok.res, "Vary"), "Origin");
  EXPECT_TRUE(headers_named(ok.res, "Access-Control-Allow-Credentials").empty());

  for (const std::vector<header_view>& bad : std::vector<std::vector<header_view>>{
           {{"Origin", "http://attacker.example"}, {"Access-Control-Request-Method", "POST"}},
           {{"Origin", "null"}, {"Access-Control-Request-Method", "POST"}},
           {{"Access-Control-Request-Method", "POST"}},
           {{"Origin", "http://ports.test:8080"}, {"Access-Control-Request-Method", "PUT"}},
           {{"Origin", "http://ports.test:8080"},
            {"Access-Control-Request-Method", "POST"},
            {"Access-Control-Request-Headers", "content-type, x-forwarded-for"}},
       }) {
    handled no = send(method::options, "/api/v1/scans", bad);
    EXPECT_EQ(no.res.status, 403U) << bad[0].value;
    EXPECT_TRUE(headers_named(no.res, "Access-Control-Allow-Origin").empty());
    EXPECT_TRUE(has(no.res.body, "Only this site's own pages"));
  }
}

TEST_F(cors_test, the_confirm_page_offers_both_families_and_may_connect_to_them) {
  handled r = send(method::get, "/scan/confirm?kind=common", {});
  EXPECT_EQ(r.res.status, 200U);
  EXPECT_TRUE(has(r.res.body, "data-ipv4=\"http://v4.ports.test:8080\""));
  EXPECT_TRUE(has(r.res.body, "data-ipv6=\"http://v6.ports.test:8080\""));
  EXPECT_TRUE(has(r.res.body, "id=\"dual-start\""));
  EXPECT_TRUE(has(header_of(r.res, "Content-Security-Policy"),
                  "connect-src 'self' http://v4.ports.test:8080 http://v6.ports.test:8080;"));
}

TEST(dual_stack_pages, without_siblings_the_pages_say_which_family_was_tested) {
  db::database db = db::testing::small_database();
  db::search_index index(db);
  website site(db, index, {});
  testing::fake_scan_service service;
  add_scan_page_routes(site, service, db);
  std::vector<header_view> headers{{"Host", "198.18.0.1:8080"}};
  connection_info conn;
  conn.client_address = "198.18.0.2";
  request req;
  req.target = req.path = "/scan/confirm";
  req.query = "kind=common";
  req.headers = headers;
  req.conn = &conn;
  handled r = site.handle(req);
  EXPECT_FALSE(has(r.res.body, "id=\"dual\""));
  EXPECT_TRUE(
      has(r.res.body, "This test will use IPv4 (198.18.0.2); to test your IPv6 address too"));
  EXPECT_TRUE(headers_named(r.res, "Content-Security-Policy").empty());  // the engine's default
  // OPTIONS stays what it was: no such method here.
  req.verb = method::options;
  req.target = req.path = "/api/v1/scans";
  req.query = {};
  EXPECT_EQ(site.handle(req).res.status, 404U);
}

family_outcome reached(std::string address, std::vector<std::uint16_t> open) {
  family_outcome f;
  f.address = std::move(address);
  f.open = std::move(open);
  return f;
}

family_outcome unreachable() {
  family_outcome f;
  f.reached = false;
  return f;
}

TEST(dual_stack_words, ports_read_as_a_list) {
  EXPECT_EQ(ports_in_words(std::vector<std::uint16_t>{22}), "port 22");
  EXPECT_EQ(ports_in_words(std::vector<std::uint16_t>{22, 80}), "ports 22 and 80");
  EXPECT_EQ(ports_in_words(std::vector<std::uint16_t>{22, 80, 443}), "ports 22, 80 and 443");
  std::vector<std::uint16_t> all(65536);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  EXPECT_EQ(ports_in_words(all),
            "ports 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 and 65516 "
            "more")
      << "a headline names twenty ports at most";
}

TEST(dual_stack_words, ports_only_ipv6_lets_in_make_the_headline) {
  dual_finding d =
      compare_families(reached("198.51.100.7", {443}), reached("2001:db8::1234", {22, 80, 443}));
  EXPECT_EQ(d.kind, "differ");
  EXPECT_EQ(d.headline,
            "Over IPv6 your address 2001:db8::1234 accepts connections on ports 22 and 80, which "
            "your IPv4 address hides: your router's IPv6 firewall lets them in.");
  ASSERT_FALSE(d.details.empty());
  EXPECT_TRUE(has(d.details.back(), "IPv6 firewall"));
}

TEST(dual_stack_words, a_difference_either_way_is_named) {
  dual_finding d =
      compare_families(reached("198.51.100.7", {80, 8080}), reached("2001:db8::1234", {22, 80}));
  EXPECT_EQ(d.kind, "differ");
  EXPECT_TRUE(has(d.headline,
                  "Over IPv6 your address 2001:db8::1234 accepts connections on "
                  "port 22,"));
  ASSERT_GE(d.details.size(), 1U);
  EXPECT_EQ(d.details[0],
            "Over IPv4 your address 198.51.100.7 accepts connections on port 8080, which your "
            "IPv6 address hides: a port forward (or the router itself) answers over IPv4 only.");
}

TEST(dual_stack_words, agreement_says_so) {
  dual_finding none = compare_families(reached("198.51.100.7", {}), reached("2001:db8::1", {}));
  EXPECT_EQ(none.kind, "same");
  EXPECT_EQ(none.headline,
            "IPv4 and IPv6 agree: no port accepts connections over either (IPv4 198.51.100.7, "
            "IPv6 2001:db8::1).");
  dual_finding some =
      compare_families(reached("198.51.100.7", {443}), reached("2001:db8::1", {443}));
  EXPECT_TRUE(has(some.headline, "port 443 accepts connections over both"));
}

TEST(dual_stack_words, a_family_that_does_not_work_is_said_plainly) {
  dual_finding d = compare_families(reached("198.51.100.7", {80}), unreachable());
  EXPECT_EQ(d.kind, "missing");
  EXPECT_EQ(d.headline,
            "No IPv6 connectivity from your browser: only IPv4 was tested (your address "
            "198.51.100.7).");
  dual_finding v4 = compare_families(unreachable(), reached("2001:db8::1", {}));
  EXPECT_TRUE(has(v4.headline, "No IPv4 connectivity from your browser: only IPv6 was tested"));
  EXPECT_TRUE(has(v4.details.front(), "NAT64"));
  family_outcome refused = reached("", {});
  refused.error = "This address already has a scan running.";
  dual_finding busy = compare_families(reached("198.51.100.7", {}), refused);
  EXPECT_TRUE(has(busy.headline, "The IPv6 test could not run: This address already has"));
  dual_finding neither = compare_families(unreachable(), unreachable());
  EXPECT_TRUE(has(neither.headline, "Neither family could be tested"));
}

TEST(dual_stack_words, single_family_pages_say_how_to_test_the_other) {
  EXPECT_TRUE(has(family_used_sentence("2001:db8::1", false, true),
                  "This test used IPv6 (2001:db8::1); to test your IPv4 address too"));
  EXPECT_TRUE(has(family_used_sentence("2001:db8::1", false, false),
                  "This test will use IPv6 (2001:db8::1)"))
      << "before it ran";
  EXPECT_FALSE(has(family_used_sentence("2001:db8::1", false, true), "ipv4_origin"))
      << "a visitor cannot set up the server";
  EXPECT_TRUE(
      has(family_used_sentence("198.51.100.7", true, true), "Test IPv4 and IPv6 side by side"));
}

TEST(dual_stack_words, the_compare_request_is_checked) {
  auto ok = parse_compare_request(
      R"({"ipv4":{"address":"198.51.100.7","open":"22,80"},"ipv6":{"unreachable":true}})");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->first.open, (std::vector<std::uint16_t>{22, 80}));
  EXPECT_FALSE(ok->second.reached);
  for (std::string_view bad : {R"([])", R"({"ipv4":{}})",
                               R"({"ipv4":{"address":"x","open":""},"ipv6":{"unreachable":true}})",
                               R"({"ipv4":{"address":"198.51.100.7","open":"99999"},"ipv6":{}})"}) {
    EXPECT_FALSE(parse_compare_request(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace breakwater::site
