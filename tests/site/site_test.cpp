#include "site/site.hpp"
#include "db/port_json.hpp"
#include "http/responder.hpp"
#include "site/assets.hpp"
#include "support/test_data.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace breakwater::site {
namespace {

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class site_test : public ::testing::Test {
 protected:
  site_test() : db_(db::testing::small_database()), index_(db_), site_(db_, index_, options()) {}

  static site_options options() {
    site_options o;
    o.http_port = 8080;
    o.https_port = 8443;
    o.popular = {22, 443};
    o.metrics_text = [] { return std::string("metric 1\n"); };
    return o;
  }

  handled get(std::string_view target, method m = method::get) {
    return get_from(site_, target, m);
  }

  // The same request to another website (one built with other options).
  handled get_from(const website& w, std::string_view target, method m = method::get) {
    headers_ = {{"Host", "127.0.0.1:8080"}};
    req_ = {};
    req_.verb = m;
    req_.target = target;
    std::size_t q = target.find('?');
    req_.path = target.substr(0, q);
    if (q != std::string_view::npos) req_.query = target.substr(q + 1);
    req_.headers = headers_;
    req_.conn = &conn_;
    return w.handle(req_);
  }

  // That `path` answers `status` with `to` in its Location header.
  void expect_redirect(const std::string& path, unsigned status, std::string_view to) {
    handled r = get(path);
    EXPECT_EQ(r.res.status, status) << path;
    auto location = std::find_if(r.res.headers.begin(), r.res.headers.end(),
                                 [](const auto& h) { return h.first == "Location"; });
    ASSERT_NE(location, r.res.headers.end()) << path;
    EXPECT_EQ(location->second, to) << path;
  }

  db::database db_;
  db::search_index index_;
  website site_;
  connection_info conn_;
  std::vector<header_view> headers_;
  request req_;
};

TEST_F(site_test, port_pages_and_their_errors) {
  handled ok = get("/port/443");
  EXPECT_EQ(ok.res.status, 200U);
  EXPECT_TRUE(ok.res.shareable);
  EXPECT_EQ(ok.res.cache, cache_policy::revalidate);
  EXPECT_TRUE(has(ok.res.body, "https://127.0.0.1:8443/port/443"));
  handled range = get("/port/70000");
  EXPECT_EQ(range.res.status, 404U);
  EXPECT_TRUE(has(range.res.body, "0 to 65535"));
  EXPECT_EQ(get("/port/abc").res.status, 404U);
}

TEST_F(site_test, the_enter_port_form_redirects) {
  handled r = get("/port?n=22");
  EXPECT_EQ(r.res.status, 302U);
  ASSERT_EQ(r.res.headers.size(), 1U);
  EXPECT_EQ(r.res.headers[0].first, "Location");
  EXPECT_EQ(r.res.headers[0].second, "/port/22");
  EXPECT_EQ(get("/port?n=+443+").res.headers[0].second, "/port/443");
  EXPECT_EQ(get("/port?n=70000").res.status, 400U);
  EXPECT_EQ(get("/port").res.status, 400U);
  EXPECT_EQ(get("/port?n=+").res.status, 400U);
}

// The jump box's text that is no port number is a search, which finds the port: "ssh",
// "22/tcp", "port 80" (they used to end on a 400 page).
TEST_F(site_test, the_enter_port_form_searches_for_what_is_no_number) {
  for (auto [path, to] : std::vector<std::pair<std::string, std::string>>{
           {"/port?n=ssh", "/search?q=ssh"},
           {"/port?n=22%2Ftcp", "/search?q=22%2Ftcp"},
           {"/port?n=port+80", "/search?q=port%2080"}}) {
    expect_redirect(path, 302, to);
  }
  EXPECT_EQ(get("/port?n=" + std::string(300, 'x')).res.status, 400U) << "past a search's length";
}

// "/port/22/" is "/port/22" (it was a 404); a path that would start with "//" is never
// redirected (it would name another host).
TEST_F(site_test, a_trailing_slash_moves_to_the_page_without_it) {
  for (auto [path, to] : std::vector<std::pair<std::string, std::string>>{
           {"/port/22/", "/port/22"},
           {"/search/?q=ssh", "/search?q=ssh"},
           {"/api/v1/ports/22/", "/api/v1/ports/22"}}) {
    expect_redirect(path, 301, to);
  }
  EXPECT_NE(get("/port/22/", method::post).res.status, 301U) << "a POST is never redirected";
  EXPECT_EQ(get("//port/22/").res.status, 404U);
  EXPECT_EQ(get("/port/22//").res.status, 404U);
  EXPECT_EQ(get("/nowhere/").res.status, 404U);
}

// A port has one address: "080" or "00443" is sent there for good (301), so that no
// second page with the same body is cached or indexed.
TEST_F(site_test, a_port_written_with_leading_zeros_moves_to_its_one_address) {
  for (auto [path, to] : std::vector<std::pair<std::string, std::string>>{
           {"/port/080", "/port/80"},
           {"/port/00443", "/port/443"},
           {"/port/00000", "/port/0"},
           {"/api/v1/ports/080", "/api/v1/ports/80"},
           {"/api/v1/ports/08080", "/api/v1/ports/8080"}}) {
    expect_redirect(path, 301, to);
  }
  EXPECT_EQ(get("/port/0").res.status, 200U);
  EXPECT_EQ(get("/api/v1/ports/0").res.status, 200U);
  EXPECT_EQ(get("/port/065536").res.status, 404U) << "too long is still no port";
}

TEST_F(site_test, api_port_is_exactly_port_to_json) {
  handled r = get("/api/v1/ports/443");
  EXPECT_EQ(r.res.status, 200U);
  EXPECT_EQ(r.res.content_type, "application/json");
  EXPECT_EQ(boost::json::parse(r.res.body), db::port_to_json(db_, db_.lookup(443)));
}

TEST_F(site_test, api_errors_are_json_with_the_right_status) {
  handled r = get("/api/v1/ports/70000");
  EXPECT_EQ(r.res.status, 400U);
  EXPECT_EQ(r.res.body,
            "{\"error\":{\"code\":\"bad_port\",\"message\":\"port must be 0-65535\"}}\n");
  EXPECT_EQ(get("/api/v1/ports/-1").res.status, 400U);
  handled missing = get("/api/v1/search");
  EXPECT_EQ(missing.res.status, 400U);
  EXPECT_TRUE(has(missing.res.body, "missing_query"));
  EXPECT_TRUE(has(get("/api/v1/search?q=ssh&limit=0").res.body, "bad_limit"));
  handled nowhere = get("/api/v2/nothing");
  EXPECT_EQ(nowhere.res.status, 404U);
  EXPECT_EQ(nowhere.res.content_type, "application/json");
  handled post = get("/api/v1/ports/1", method::post);
  EXPECT_EQ(post.res.status, 405U);
  EXPECT_TRUE(has(post.res.body, "method_not_allowed"));
}

TEST_F(site_test, api_search_ranks_and_limits) {
  handled r = get("/api/v1/search?q=ssh&limit=1");
  ASSERT_EQ(r.res.status, 200U);
  auto v = boost::json::parse(r.res.body).as_object();
  EXPECT_EQ(v.at("query").as_string(), "ssh");
  ASSERT_EQ(v.at("results").as_array().size(), 1U);
  EXPECT_EQ(v.at("results").as_array()[0].at("port").as_int64(), 22);
}

TEST_F(site_test, search_says_which_words_it_respelled) {
  handled api = get("/api/v1/search?q=sshh");
  ASSERT_EQ(api.res.status, 200U);
  auto v = boost::json::parse(api.res.body).as_object();
  ASSERT_EQ(v.at("respelled").as_array().size(), 1U);
  EXPECT_EQ(v.at("respelled").as_array()[0].at("asked").as_string(), "sshh");
  EXPECT_EQ(v.at("respelled").as_array()[0].at("used").as_string(), "ssh");
  EXPECT_EQ(v.at("results").as_array()[0].at("port").as_int64(), 22);
  handled bad = get("/api/v1/search?q=%ZZ");
  EXPECT_EQ(bad.res.status, 400U);
  EXPECT_TRUE(has(bad.res.body, "bad_query")) << bad.res.body;
  auto as_written = boost::json::parse(get("/api/v1/search?q=ssh").res.body).as_object();
  EXPECT_TRUE(as_written.at("respelled").as_array().empty());
  handled page = get("/search?q=sshh");
  EXPECT_TRUE(has(page.res.body, "\u201csshh\u201d matched nothing; searched for \u201cssh\u201d"))
      << page.res.body;
}

TEST_F(site_test, html_errors_are_friendly_pages) {
  handled r = get("/nowhere");
  EXPECT_EQ(r.res.status, 404U);
  EXPECT_TRUE(has(r.res.body, "Page not found"));
  EXPECT_EQ(r.route, static_cast<std::size_t>(-1));
  handled post = get("/port/1", method::post);
  EXPECT_EQ(post.res.status, 405U);
  ASSERT_FALSE(post.res.headers.empty());
  EXPECT_EQ(post.res.headers.back().second, "GET, HEAD");
}

// metrics_from: the client address (after trusted proxies) decides, and a refusal looks
// like a path that is not there.
TEST_F(site_test, metrics_answer_only_the_blocks_allowed) {
  site_options o = options();
  o.metrics_from = *common::parse_cidr_list({"127.0.0.1", "10.0.0.0/8", "2001:db8::/32"});
  website guarded(db_, index_, o);
  auto ask = [&](std::string_view client) {
    conn_.client_address = std::string(client);
    return get_from(guarded, "/metrics").res;
  };
  for (std::string_view allowed : {"127.0.0.1", "10.20.30.40", "2001:db8::7"}) {
    response r = ask(allowed);
    EXPECT_EQ(r.status, 200U) << allowed;
    EXPECT_EQ(r.body, "metric 1\n") << allowed;
  }
  for (std::string_view other : {"127.0.0.2", "198.18.0.2", "2001:db9::1", ""}) {
    response r = ask(other);
    EXPECT_EQ(r.status, 404U) << other;
    EXPECT_FALSE(has(r.body, "metric")) << other;
  }
  EXPECT_EQ(get("/metrics").res.status, 200U) << "unset: anyone";
}

// /ports: every entry once, in the range it belongs to, as a shareable page the nav's
// "Ports" leads to.
TEST_F(site_test, the_port_list_has_every_entry_in_its_range) {
  handled r = get("/ports");
  ASSERT_EQ(r.res.status, 200U);
  EXPECT_TRUE(r.res.shareable);
  const std::string& body = r.res.body;
  EXPECT_TRUE(has(body, "<h1>Every port we wrote about</h1>"));
  std::size_t listed = 0;
  for (std::string_view id : {"well-known", "registered", "dynamic"}) {
    std::size_t at = body.find(fmt::format("<ul class=\"port-list\" id=\"list-{}\">", id));
    ASSERT_NE(at, std::string::npos) << id;
    std::string_view list(body.data() + at, body.find("</ul>", at) - at);
    for (std::size_t li = list.find("<li>"); li != std::string_view::npos;
         li = list.find("<li>", li + 1)) {
      ++listed;
    }
  }
  EXPECT_EQ(listed, db_.entries().size());
  for (const db::entry& e : db_.entries()) {
    EXPECT_TRUE(has(body, fmt::format("<a href=\"/port/{}\"><b>{}</b> ", e.port, e.port)))
        << e.port;
  }
  EXPECT_TRUE(has(body, "<a href=\"/ports\" aria-current=\"true\">Ports</a>")) << "the nav";

  // The same list as JSON.
  handled j = get("/api/v1/ports");
  ASSERT_EQ(j.res.status, 200U);
  EXPECT_TRUE(j.res.shareable);
  boost::json::value v = boost::json::parse(j.res.body);
  const boost::json::array& ports = v.at("ports").as_array();
  ASSERT_EQ(ports.size(), db_.entries().size());
  EXPECT_EQ(v.at("count").to_number<std::size_t>(), db_.entries().size());
  const db::entry& first = db_.entries().front();
  EXPECT_EQ(ports[0].at("port").to_number<unsigned>(), first.port);
  EXPECT_EQ(ports[0].at("title").as_string(), first.title);
  EXPECT_EQ(ports[0].at("exposure").as_string(), db::to_string(first.exposure));
  EXPECT_EQ(ports[0].at("malware").as_bool(), first.malware());
}

TEST_F(site_test, search_home_health_metrics_and_assets) {
  EXPECT_TRUE(has(get("/search?q=ssh").res.body, "href=\"/port/22\""));
  EXPECT_TRUE(has(get("/search?q=%3Cb%3E").res.body, "&lt;b&gt;"));
  EXPECT_TRUE(has(get("/").res.body, "Most-asked ports"));
  EXPECT_EQ(get("/healthz").res.body, "ok\n");
  EXPECT_EQ(get("/metrics").res.body, "metric 1\n");
  const static_asset& css = static_assets().front();
  handled a = get(css.url);
  EXPECT_EQ(a.res.status, 200U);
  EXPECT_EQ(a.res.cache, cache_policy::immutable);
  EXPECT_EQ(a.res.body, css.data);
  EXPECT_EQ(get("/static/site.00000000.css").res.status, 404U);
}

class responder_test : public site_test {
 protected:
  http::reply send(std::string_view target, std::vector<header_view> extra,
                   method m = method::get) {
    get(target, m);  // fills req_
    for (const header_view& h : extra) headers_.push_back(h);
    req_.headers = headers_;
    return responder_.respond(req_, true, head_);
  }
  http::responder responder_{site_};
  std::string head_;
};

TEST_F(responder_test, etag_revalidation_answers_304) {
  http::reply first = send("/port/22", {});
  EXPECT_EQ(first.status, 200U);
  std::size_t at = head_.find("ETag: ");
  ASSERT_NE(at, std::string::npos);
  std::string etag = head_.substr(at + 6, head_.find("\r\n", at) - at - 6);
  http::reply again = send("/port/22", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304U);
  EXPECT_TRUE(again.body.empty());
  EXPECT_FALSE(has(head_, "Content-Length"));
  EXPECT_EQ(first.stored, again.stored);  // served from the worker's cache
}

TEST_F(responder_test, head_sends_headers_only) {
  http::reply r = send("/port/443", {}, method::head);
  EXPECT_EQ(r.status, 200U);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(has(head_, "Content-Length: " + std::to_string(r.stored->body.size())));
}

TEST_F(responder_test, gzip_when_accepted) {
  http::reply plain = send("/port/443", {});
  EXPECT_FALSE(has(head_, "Content-Encoding"));
  EXPECT_TRUE(has(head_, "Vary: Accept-Encoding"));
  http::reply gz = send("/port/443", {{"Accept-Encoding", "gzip, br"}});
  EXPECT_TRUE(has(head_, "Content-Encoding: gzip"));
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f);
}

TEST_F(responder_test, security_headers_and_hsts_only_over_https) {
  send("/port/443", {});
  EXPECT_TRUE(has(head_, "Content-Security-Policy: default-src 'none'; script-src 'self'"));
  EXPECT_FALSE(has(head_, "Strict-Transport-Security"));
  conn_.https = true;
  send("/port/443", {});
  EXPECT_TRUE(has(head_, "Strict-Transport-Security: max-age="));
}

TEST_F(responder_test, errors_without_a_request_close_the_connection) {
  http::reply r = responder_.respond_error(431, false, head_);
  EXPECT_EQ(r.status, 431U);
  EXPECT_TRUE(has(head_, "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  EXPECT_TRUE(has(head_, "Connection: close\r\n"));
  EXPECT_TRUE(has(r.body, "too large"));
}

}  // namespace
}  // namespace breakwater::site
