// The scan API's UDP side with the fake scan service (no probes): "udp" in POST
// /api/v1/scans, the UDP fields of the scan document, and /api/v1/check/{port}?transport=udp
// answering with the verdict's UDP fields and its finding in words.
#include "common/json_text.hpp"
#include "probe/result_json.hpp"
#include "probe/wire/udp/finding.hpp"
#include "site/api_scans.hpp"
#include "site/scan_json.hpp"
#include "support/fake_scan_service.hpp"
#include "support/test_data.hpp"
#include "support/udp_results.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace breakwater::site {
namespace {

namespace json = boost::json;

// Keeps the whole answer of a deferred response (the fake service answers at once).
struct kept_answer final : async_sink {
  std::optional<response> whole;
  void write(std::string) override {}
  void end() override {}
  void complete(response r) override { whole = std::move(r); }
};

class api_udp_test : public ::testing::Test {
 protected:
  api_udp_test() : db_(db::testing::small_database()), index_(db_), site_(db_, index_, {}) {
    add_scan_api_routes(site_, service_);
  }

  handled call(method m, std::string_view target, std::string_view body = {}) {
    conn_.client_address = "198.18.0.2";
    headers_ = {{"Host", "198.18.0.1"}, {"Content-Type", "application/json"}};
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

  // The check's answer once the scripted verdict is in.
  response check(std::string_view target) {
    handled h = call(method::get, target);
    if (!h.res.later) return h.res;
    auto sink = std::make_shared<kept_answer>();
    h.res.later->start(sink);
    EXPECT_TRUE(sink->whole);
    return sink->whole ? *sink->whole : response{};
  }

  void script(const probe::port_result& r) {
    service_.scripted_events = {{1, "verdict", common::json_text(probe::port_to_json(r))},
                                {2, "done", R"({"phase":"done","error":null})"}};
  }

  db::database db_;
  db::search_index index_;
  website site_;
  testing::fake_scan_service service_;
  connection_info conn_;
  std::vector<header_view> headers_;
  request req_;
};

TEST_F(api_udp_test, post_scans_takes_udp_alone_or_beside_tcp) {
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"udp":"udp-common"})").res.status, 202U);
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"ports":"common","udp":"53,123"})").res.status,
            202U);
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"kind":"udp"})").res.status, 202U);
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"udp":53})").res.status, 400U);
  ASSERT_EQ(service_.starts.size(), 3U);
  EXPECT_EQ(service_.starts[0].order.kind, scan::scan_kind::udp);
  EXPECT_EQ(service_.starts[1].order.kind, scan::scan_kind::common);
  EXPECT_EQ(service_.starts[1].order.udp, "53,123");
  EXPECT_EQ(service_.starts[2].order.kind, scan::scan_kind::udp);
}

// {"ports":"common","ports":"all"} read as its last value would start a scan the client may
// not have meant: refused, and nothing starts.
TEST_F(api_udp_test, a_scan_order_that_gives_a_key_twice_is_refused) {
  handled h = call(method::post, "/api/v1/scans", R"({"ports":"common","ports":"all"})");
  EXPECT_EQ(h.res.status, 400U);
  EXPECT_NE(h.res.body.find("gives a key more than once"), std::string::npos) << h.res.body;
  EXPECT_EQ(call(method::post, "/api/v1/scans", R"({"udp":"53","u\u0064p":"123"})").res.status,
            400U);
  EXPECT_TRUE(service_.starts.empty());
}

TEST_F(api_udp_test, the_scan_document_has_the_udp_ports_and_their_fields) {
  scan::scan_view v = testing::udp_scan();
  json::value d = json::parse(scan_json(scan::snapshot_of(v)));
  EXPECT_EQ(d.at("kind").as_string(), "udp");
  EXPECT_EQ(d.at("ports").as_string(), "");
  EXPECT_EQ(d.at("udp").as_string(), "53,123,161,51820");
  EXPECT_EQ(d.at("progress").at("total").as_int64(), 4);
  const json::array& udp = d.at("result").at("udp").as_array();
  ASSERT_EQ(udp.size(), 4U);
  EXPECT_EQ(udp[0].at("transport").as_string(), "udp");
  EXPECT_EQ(udp[0].at("state").as_string(), "open");
  EXPECT_EQ(udp[0].at("reason").as_string(), "udp-answer");
  EXPECT_EQ(udp[0].at("protocol").as_string(), "DNS");
  EXPECT_EQ(udp[0].at("bytes_out").as_int64(), 29);
  EXPECT_EQ(udp[0].at("bytes_in").as_int64(), 45);
  EXPECT_EQ(udp[0].at("datagrams").as_int64(), 1);
  EXPECT_DOUBLE_EQ(udp[0].at("amplification").as_double(), 1.55);
  EXPECT_EQ(udp[0].at("finding").as_string(), "open-resolver");
  EXPECT_EQ(udp[0].at("text").as_string(), "\\x62\\x77\\x81\\x80 <script>alert(1)</script>");
  EXPECT_EQ(udp[2].at("state").as_string(), "filtered");
  EXPECT_EQ(udp[2].at("icmp").at("name").as_string(), "admin-prohibited");
  EXPECT_EQ(udp[2].at("icmp").at("from").as_string(), "198.18.0.254");
  EXPECT_EQ(udp[3].at("state").as_string(), "stealth");
  EXPECT_NE(std::string(udp[3].at("silence").as_string()).find("WireGuard"), std::string::npos);
  const json::value& s = d.at("result").at("udp_summary");
  EXPECT_EQ(s, json::parse(R"({"open":1,"closed":1,"stealth":1,"filtered":1})"));
}

TEST_F(api_udp_test, the_check_probes_udp_when_asked_and_words_the_finding) {
  script(testing::open_resolver());
  response r = check("/api/v1/check/53?transport=udp");
  ASSERT_EQ(r.status, 200U) << r.body;
  ASSERT_EQ(service_.starts.size(), 1U);
  EXPECT_EQ(service_.starts[0].order.kind, scan::scan_kind::single);
  EXPECT_EQ(service_.starts[0].order.ports, "");
  EXPECT_EQ(service_.starts[0].order.udp, "53");
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("address").as_string(), "198.18.0.2");
  EXPECT_EQ(v.at("port").as_int64(), 53);
  EXPECT_EQ(v.at("transport").as_string(), "udp");
  EXPECT_EQ(v.at("state").as_string(), "open");
  EXPECT_EQ(v.at("protocol").as_string(), "DNS");
  EXPECT_EQ(v.at("finding").as_string(), "open-resolver");
  EXPECT_EQ(v.at("id").as_string(), "scan1");
  const json::value& w = v.at("finding_words");
  EXPECT_EQ(w.at("sentence").as_string(),
            "Your address answers DNS queries from anyone: it can be used to attack others "
            "(amplification x1.6).");
  EXPECT_EQ(w.at("advice").as_string(), probe::udp::find_finding("open-resolver")->advice);
  EXPECT_TRUE(w.at("reflector").as_bool());

  // TCP stays the default, and says so.
  probe::port_result tcp;
  tcp.port = 22;
  tcp.state = probe::port_state::open;
  tcp.why = probe::reason::syn_ack;
  script(tcp);
  json::value t = json::parse(check("/api/v1/check/22").body);
  EXPECT_EQ(service_.starts.back().order.ports, "22");
  EXPECT_EQ(service_.starts.back().order.udp, "");
  EXPECT_EQ(t.at("transport").as_string(), "tcp");
  EXPECT_FALSE(t.as_object().contains("finding_words"));
  check("/api/v1/check/22?transport=tcp");
  EXPECT_EQ(service_.starts.back().order.ports, "22");

  // A silent WireGuard port: the silence note comes with the answer.
  script(testing::udp_silent(51820));
  json::value s = json::parse(check("/api/v1/check/51820?transport=udp").body);
  EXPECT_EQ(s.at("state").as_string(), "stealth");
  EXPECT_NE(std::string(s.at("silence").as_string()).find("healthy WireGuard"), std::string::npos);
}

TEST_F(api_udp_test, the_check_refuses_a_transport_it_does_not_know) {
  for (std::string_view target : {"/api/v1/check/53?transport=sctp", "/api/v1/check/53?transport=",
                                  "/api/v1/check/53?transport=UDP"}) {
    handled h = call(method::get, target);
    EXPECT_EQ(h.res.status, 400U) << target;
    EXPECT_EQ(json::parse(h.res.body).at("error").at("code").as_string(), "bad_transport");
  }
  EXPECT_TRUE(service_.starts.empty());
}

}  // namespace
}  // namespace breakwater::site
