#include "site/csrf.hpp"
#include "http/host_rules.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace breakwater::site {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::system_clock;

const clock::time_point t0 = clock::time_point(1'800'000'000s);

TEST(csrf, a_token_is_good_for_its_address_in_this_window_and_the_next) {
  csrf_guard g("secret", 1h);
  std::string token = g.issue("198.18.0.2", t0);
  EXPECT_TRUE(g.check(token, "198.18.0.2", t0));
  EXPECT_TRUE(g.check(token, "198.18.0.2", t0 + 59min));
  EXPECT_TRUE(g.check(token, "198.18.0.2", t0 + 1h));
  EXPECT_FALSE(g.check(token, "198.18.0.2", t0 + 2h + 1s));  // expired
  EXPECT_FALSE(g.check(token, "198.18.0.2", t0 - 2h));       // from the future
}

TEST(csrf, a_token_is_bound_to_the_address_and_the_secret) {
  csrf_guard g("secret", 1h);
  std::string token = g.issue("198.18.0.2", t0);
  EXPECT_FALSE(g.check(token, "198.18.0.3", t0));
  EXPECT_FALSE(g.check(token, "2001:2::2", t0));
  csrf_guard other("another secret", 1h);
  EXPECT_FALSE(other.check(token, "198.18.0.2", t0));
  // Two guards with fresh random secrets do not accept each other's tokens.
  csrf_guard a, b;
  EXPECT_TRUE(a.check(a.issue("x", t0), "x", t0));
  EXPECT_FALSE(b.check(a.issue("x", t0), "x", t0));
}

TEST(csrf, malformed_and_tampered_tokens_are_refused) {
  csrf_guard g("secret", 1h);
  std::string token = g.issue("198.18.0.2", t0);
  std::string flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  std::string window_moved = std::to_string(std::stoull(token.substr(0, token.find('.'))) + 1) +
                             token.substr(token.find('.'));
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "abc", "1.", ".abc", "x.y", flipped, window_moved, token + "0",
           token.substr(0, token.size() - 1), "-1.abc", "99999999999999999999999.ab"}) {
    EXPECT_FALSE(g.check(bad, "198.18.0.2", t0)) << bad;
  }
}

struct origin_case {
  std::vector<header_view> headers;
  bool ok;
};

TEST(csrf, same_origin_checks_origin_against_host_and_sec_fetch_site) {
  std::vector<origin_case> cases{
      {{{"Host", "198.18.0.1:8080"}}, true},  // curl: no Origin
      {{{"Host", "198.18.0.1:8080"}, {"Origin", "http://198.18.0.1:8080"}}, true},
      {{{"Host", "localhost:8443"}, {"Origin", "https://LOCALHOST:8443"}}, true},
      {{{"Host", "198.18.0.1:8080"}, {"Origin", "http://evil.example"}}, false},
      {{{"Host", "198.18.0.1:8080"}, {"Origin", "http://198.18.0.1:9090"}}, false},
      {{{"Host", "198.18.0.1:8080"}, {"Origin", "null"}}, false},
      // Chromium's form posts under Referrer-Policy: no-referrer.
      {{{"Host", "a.test"}, {"Origin", "null"}, {"Sec-Fetch-Site", "same-origin"}}, true},
      {{{"Host", "a.test"}, {"Origin", "null"}, {"Sec-Fetch-Site", "none"}}, false},
      {{{"Host", "198.18.0.1:8080"}, {"Origin", "ftp://198.18.0.1:8080"}}, false},
      {{{"Host", "a.test"}, {"Sec-Fetch-Site", "cross-site"}}, false},
      {{{"Host", "a.test"}, {"Sec-Fetch-Site", "same-site"}}, false},
      {{{"Host", "a.test"}, {"Sec-Fetch-Site", "same-origin"}, {"Origin", "http://a.test"}}, true},
      {{{"Origin", "http://a.test"}}, false},  // no Host to compare with
  };
  for (const origin_case& c : cases) {
    request req;
    req.verb = method::post;
    req.headers = c.headers;
    EXPECT_EQ(same_origin(req), c.ok) << (c.headers.size() > 1 ? c.headers[1].value : "");
  }
}

TEST(host_rules, origin_may_be_a_server_name_behind_a_rewriting_proxy) {
  http::host_rules rules(*http::normalise_server_names({"ports.example.org"}));
  connection_info conn;
  conn.hosts = &rules;
  // nginx's default proxy_set_header Host $proxy_host: Host is the upstream's address.
  std::vector<header_view> headers{{"Host", "127.0.0.1:8080"},
                                   {"Origin", "https://ports.example.org"}};
  request req;
  req.headers = headers;
  req.conn = &conn;
  EXPECT_TRUE(same_origin(req));
  headers[1].value = "https://evil.example";
  req.headers = headers;
  EXPECT_FALSE(same_origin(req));
  conn.hosts = nullptr;
  headers[1].value = "https://ports.example.org";
  req.headers = headers;
  EXPECT_FALSE(same_origin(req));
}

TEST(csrf, every_page_gets_a_different_token_for_the_same_address) {
  csrf_guard g(std::string(32, 'k'), std::chrono::hours(1));
  auto now = std::chrono::system_clock::now();
  std::string a = g.issue("198.18.0.2", now), b = g.issue("198.18.0.2", now);
  EXPECT_NE(a, b);  // masked afresh: compression cannot reveal it (BREACH)
  EXPECT_TRUE(g.check(a, "198.18.0.2", now));
  EXPECT_TRUE(g.check(b, "198.18.0.2", now));
}

}  // namespace
}  // namespace breakwater::site
