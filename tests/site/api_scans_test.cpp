// The scan API routes over the real scan service with the fake target (no network): the
// CSRF rule, 202 + Location, reading, visibility, deletion, and answers produced later.
#include "site/api_scans.hpp"
#include "app/config.hpp"
#include "common/cidr.hpp"
#include "http/responder.hpp"
#include "scan/probe_service.hpp"
#include "support/fake_target.hpp"
#include "support/test_data.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace breakwater::site {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// Collects what an async source writes, as the session would.
struct test_sink final : async_sink {
  std::mutex mu;
  std::condition_variable cv;
  std::string text;
  bool ended = false;
  std::optional<response> whole;
  void write(std::string bytes) override {
    std::lock_guard l(mu);
    text += bytes;
  }
  void end() override {
    std::lock_guard l(mu);
    ended = true;
    cv.notify_all();
  }
  void complete(response r) override {
    std::lock_guard l(mu);
    whole = std::move(r);
    cv.notify_all();
  }
  bool wait() {
    std::unique_lock l(mu);
    return cv.wait_for(l, 10s, [&] { return ended || whole.has_value(); });
  }
};

class api_test : public ::testing::Test {
 protected:
  api_test()
      : db_(db::testing::small_database()),
        index_(db_),
        site_(db_, index_, {}),
        service_(options()) {
    add_scan_api_routes(site_, service_);
  }

  static scan::probe_service_options options() {
    probe::fake_target_options o;
    o.rtt = 2ms;
    o.icmp_rate_limit = false;
    auto t = std::make_shared<probe::fake_target>(o);
    t->set(22, probe::fake_port::open);
    t->set(23, probe::fake_port::reset);
    scan::probe_service_options s;
    s.backend = t;
    s.tries = 1;
    return s;
  }

  handled call(method m, std::string_view target, std::string_view body = {},
               std::string_view content_type = "application/json",
               std::string_view from = "198.18.0.2") {
    conn_.client_address = std::string(from);
    headers_ = {{"Host", "198.18.0.1"}, {"Content-Type", content_type}};
    req_ = {};
    req_.verb = m;
    req_.target = target;
    req_.path = target.substr(0, target.find('?'));
    req_.headers = headers_;
    req_.body = body;
    req_.conn = &conn_;
    return site_.handle(req_);
  }

  std::string start(std::string_view body) {
    handled h = call(method::post, "/api/v1/scans", body);
    EXPECT_EQ(h.res.status, 202u) << h.res.body;
    return std::string(json::parse(h.res.body).at("id").as_string());
  }

  db::database db_;
  db::search_index index_;
  website site_;
  scan::probe_service service_;
  connection_info conn_;
  std::vector<header_view> headers_;
  request req_;
};

TEST_F(api_test, post_needs_json_and_answers_202_with_location) {
  EXPECT_EQ(
      call(method::post, "/api/v1/scans", R"({"ports":"22"})", "application/x-www-form-urlencoded")
          .res.status,
      415u);
  EXPECT_EQ(call(method::post, "/api/v1/scans", "not json").res.status, 400u);
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"port":"22"})").res.status, 400u);
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"kind":"nope"})").res.status, 400u);
  handled h = call(method::post, "/api/v1/scans", R"({"ports":"20-25","ping":false})",
                   "application/json; charset=utf-8");
  ASSERT_EQ(h.res.status, 202u) << h.res.body;
  json::value v = json::parse(h.res.body);
  std::string id(v.at("id").as_string());
  EXPECT_EQ(v.at("kind").as_string(), "custom");
  EXPECT_EQ(v.at("target").as_string(), "198.18.0.2");
  ASSERT_EQ(h.res.headers.size(), 2u);  // and Cross-Origin-Resource-Policy
  EXPECT_EQ(h.res.headers[0].second, "/api/v1/scans/" + id);
  EXPECT_FALSE(h.res.shareable);
}

TEST_F(api_test, get_shows_the_result_to_its_owner_only) {
  std::string id = start(R"({"ports":"20-25"})");
  json::value v;
  for (int i = 0; i < 500; ++i) {
    v = json::parse(call(method::get, "/api/v1/scans/" + id).res.body);
    if (v.at("state").as_string() != "running") break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(v.at("state").as_string(), "done");
  EXPECT_EQ(v.at("progress").at("decided").as_int64(), 6);
  const json::array& ports = v.at("result").at("ports").as_array();
  ASSERT_EQ(ports.size(), 6u);
  EXPECT_EQ(ports[2].at("state").as_string(), "open");
  EXPECT_EQ(ports[3].at("reason").as_string(), "rst");
  handled other = call(method::get, "/api/v1/scans/" + id, {}, {}, "198.18.0.9");
  EXPECT_EQ(other.res.status, 404u);
  // The same words as for an id no node holds any more (docs/deploy.md): nothing told apart.
  json::value gone =
      json::parse(call(method::get, "/api/v1/scans/AAAAAAAAAAAAAAAAAAAAAA").res.body);
  EXPECT_EQ(json::parse(other.res.body), gone);
  EXPECT_EQ(gone.at("error").at("code").as_string(), "not_found");
  EXPECT_EQ(gone.at("error").at("message").as_string(),
            "No scan with this id is here: it expired, or it was lost when its server stopped. "
            "Start the test again.");
  EXPECT_EQ(call(method::del, "/api/v1/scans/" + id).res.status, 409u);  // already done
  EXPECT_EQ(call(method::del, "/api/v1/scans/" + id, {}, {}, "198.18.0.9").res.status, 404u);
}

TEST_F(api_test, events_stream_later_and_end_with_done) {
  std::string id = start(R"({"ports":"20-23"})");
  handled h = call(method::get, "/api/v1/scans/" + id + "/events");
  ASSERT_TRUE(h.res.later);
  EXPECT_TRUE(h.res.stream);
  EXPECT_EQ(h.res.content_type, "text/event-stream");
  EXPECT_FALSE(h.res.shareable);
  auto sink = std::make_shared<test_sink>();
  h.res.later->start(sink);
  ASSERT_TRUE(sink->wait());
  EXPECT_NE(sink->text.find("id: 1\nevent: verdict\ndata: {\"port\":"), std::string::npos)
      << sink->text;
  EXPECT_NE(sink->text.find("id: 5\nevent: done\ndata: {\"phase\":\"done\""), std::string::npos)
      << sink->text;
  EXPECT_EQ(call(method::get, "/api/v1/scans/" + id + "/events", {}, {}, "198.18.0.9").res.status,
            404u);
}

TEST_F(api_test, check_answers_when_the_probe_is_done) {
  handled h = call(method::get, "/api/v1/check/22");
  ASSERT_TRUE(h.res.later);
  EXPECT_FALSE(h.res.stream);
  auto sink = std::make_shared<test_sink>();
  h.res.later->start(sink);
  ASSERT_TRUE(sink->wait());
  ASSERT_TRUE(sink->whole);
  json::value v = json::parse(sink->whole->body);
  EXPECT_EQ(v.at("address").as_string(), "198.18.0.2");
  EXPECT_EQ(v.at("port").as_int64(), 22);
  EXPECT_EQ(v.at("state").as_string(), "open");
  EXPECT_EQ(v.at("reason").as_string(), "syn-ack");
  EXPECT_EQ(call(method::get, "/api/v1/check/70000").res.status, 400u);
}

TEST_F(api_test, address_names_the_visitor_as_the_scans_see_it) {
  handled h = call(method::get, "/api/v1/address");
  EXPECT_EQ(h.res.status, 200u);
  EXPECT_EQ(h.res.content_type, "application/json");
  EXPECT_EQ(h.res.cache, cache_policy::no_store);
  EXPECT_FALSE(h.res.shareable);
  EXPECT_EQ(json::parse(h.res.body), json::parse(R"({"address":"198.18.0.2","scope":"global"})"));
  // An address inside the provider's NAT gets its scope and a sentence saying what it means.
  json::value cgnat =
      json::parse(call(method::get, "/api/v1/address", {}, {}, "100.64.3.4").res.body);
  EXPECT_EQ(cgnat.at("scope").as_string(), "shared");
  EXPECT_NE(std::string(cgnat.at("note").as_string()).find("carrier-grade NAT"), std::string::npos);
  EXPECT_EQ(json::parse(call(method::get, "/api/v1/address", {}, {}, "2001:2::5").res.body)
                .at("address")
                .as_string(),
            "2001:2::5");
}

TEST_F(api_test, address_follows_trusted_proxies_only) {
  http::client_trust trust;
  trust.trusted_proxies.add(*common::parse_cidr("198.18.0.3/32"));
  conn_.trust = &trust;
  auto answer_via = [&](std::string_view peer, std::vector<header_view> extra) {
    conn_.client_address = std::string(peer);
    headers_ = {{"Host", "198.18.0.1"}};
    headers_.insert(headers_.end(), extra.begin(), extra.end());
    req_ = {};
    req_.target = req_.path = "/api/v1/address";
    req_.headers = headers_;
    req_.conn = &conn_;
    return site_.handle(req_).res;
  };
  auto address_via = [&](std::string_view peer, std::string_view xff) {
    return std::string(
        json::parse(answer_via(peer, {{"X-Forwarded-For", xff}}).body).at("address").as_string());
  };
  // Through the trusted proxy: the hop it reports. From anyone else: the header is ignored,
  // exactly as for the scans themselves.
  EXPECT_EQ(address_via("198.18.0.3", "198.18.0.50, 198.18.0.9"), "198.18.0.9");
  EXPECT_EQ(address_via("198.18.0.2", "198.18.0.9"), "198.18.0.2");
  // The other headers are never read, and a proxy that names nobody leaves no client: the
  // answer is 403 unknown_client, never the proxy's own address.
  for (std::vector<header_view> extra :
       {std::vector<header_view>{{"Forwarded", "for=203.0.113.9"}},
        std::vector<header_view>{{"X-Real-IP", "203.0.113.9"}},
        std::vector<header_view>{{"X-Forwarded-For", "unknown"}}, std::vector<header_view>{}}) {
    response r = answer_via("198.18.0.3", extra);
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(json::parse(r.body).at("error").at("code").as_string(), "unknown_client");
    handled started =
        call(method::post, "/api/v1/scans", R"({"ports":"22"})", "application/json", "198.18.0.3");
    EXPECT_EQ(started.res.status, 403u);
  }
  conn_.trust = nullptr;
}

TEST_F(api_test, cross_site_requests_start_nothing) {
  auto status_of = [&](method m, std::string_view path, std::vector<header_view> extra) {
    headers_ = {{"Host", "198.18.0.1:8080"}, {"Content-Type", "application/json"}};
    headers_.insert(headers_.end(), extra.begin(), extra.end());
    req_ = {};
    req_.verb = m;
    req_.target = req_.path = path;
    req_.headers = headers_;
    req_.body = R"({"ports":"22"})";
    req_.conn = &conn_;
    handled h = site_.handle(req_);
    if (h.res.status == 403) {
      EXPECT_EQ(json::parse(h.res.body).at("error").at("code").as_string(), "cross_site");
    }
    return h.res.status;
  };
  for (std::string_view path : {"/api/v1/check/22", "/api/v1/scans"}) {
    method m = path == "/api/v1/scans" ? method::post : method::get;
    EXPECT_EQ(status_of(m, path, {{"Sec-Fetch-Site", "cross-site"}}), 403u) << path;
    EXPECT_EQ(status_of(m, path, {{"Sec-Fetch-Site", "same-site"}}), 403u) << path;
    EXPECT_EQ(status_of(m, path, {{"Origin", "https://evil.example"}}), 403u) << path;
    EXPECT_EQ(status_of(m, path, {{"Origin", "null"}}), 403u) << path;
  }
  // Every API answer forbids other sites' pages to embed it.
  handled h = call(method::get, "/api/v1/address");
  bool corp = false;
  for (const auto& [name, value] : h.res.headers) {
    corp = corp || (name == "Cross-Origin-Resource-Policy" && value == "same-origin");
  }
  EXPECT_TRUE(corp);
}

TEST_F(api_test, limits_answer_with_retry_after) {
  std::string id = start(R"({"ports":"all"})");
  handled h = call(method::post, "/api/v1/scans", R"({"ports":"22"})");
  EXPECT_EQ(h.res.status, 429u);
  ASSERT_EQ(h.res.headers.size(), 2u);  // and Cross-Origin-Resource-Policy
  EXPECT_EQ(h.res.headers[0].first, "Retry-After");
  EXPECT_EQ(call(method::del, "/api/v1/scans/" + id).res.status, 202u);
  // Loopback targets: refused here (the service was built without allow_loopback).
  handled lo = call(method::get, "/api/v1/check/22", {}, {}, "127.0.0.1");
  EXPECT_EQ(lo.res.status, 403u);
  EXPECT_NE(lo.res.body.find("target_not_allowed"), std::string::npos);
}

TEST(responder_later, answers_produced_later_are_never_cached) {
  db::database db = db::testing::small_database();
  db::search_index index(db);
  website s(db, index, {});
  int calls = 0;
  struct nothing final : async_source {
    void start(std::shared_ptr<async_sink>) override {}
  };
  s.routes().add(method::get, "/later", [&](const request&, const route_params&) {
    ++calls;
    response r;
    r.later = std::make_shared<nothing>();
    r.stream = true;
    r.content_type = "text/event-stream";
    r.shareable = true;  // even when a handler says so
    return r;
  });
  http::responder resp(s);
  connection_info conn;
  request req;
  req.target = req.path = "/later";
  req.conn = &conn;
  std::string head;
  for (int i = 0; i < 2; ++i) {
    http::reply r = resp.respond(req, true, head);
    ASSERT_TRUE(r.stored && r.stored->later);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
    EXPECT_NE(head.find("Cache-Control: no-store"), std::string::npos);
    EXPECT_NE(head.find("Connection: close"), std::string::npos);
  }
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace breakwater::site
