// The reach test's API over the real service, which sends its datagrams and connections to
// sockets of this test on 127.0.0.1 (the requester's address here; loopback allowed): the
// nonce arrives only in the packets, and only the requester's address with the token can
// read and confirm the test, once. Also the /reach page.
#include "site/api_reach.hpp"
#include "scan/probe_service.hpp"
#include "support/fake_target.hpp"
#include "support/test_data.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/json/parse.hpp>

#include <array>
#include <thread>

namespace breakwater::site {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::string_view me = "127.0.0.1";

class reach_api_test : public ::testing::Test {
 protected:
  reach_api_test()
      : db_(db::testing::small_database()),
        index_(db_),
        site_(db_, index_, {}),
        service_(options()) {
    add_reach_routes(site_, service_);
  }

  static scan::probe_service_options options() {
    probe::fake_target_options f;
    f.icmp_rate_limit = false;
    scan::probe_service_options o;
    o.backend = std::make_shared<probe::fake_target>(f);
    o.allow_loopback = true;
    o.reach_sending.udp_schedule = {0ms, 20ms};
    o.reach_sending.udp_tail = 20ms;
    o.settings.reach.max_open_per_holder = 3;
    return o;
  }

  handled call(method m, std::string_view target, std::string_view body = {},
               std::string token = {}, std::string_view from = me,
               std::vector<header_view> extra = {}) {
    conn_.client_address = std::string(from);
    headers_ = {{"Host", "127.0.0.1:8080"}, {"Content-Type", "application/json"}};
    token_header_ = "Bearer " + token;
    if (!token.empty()) headers_.push_back({"Authorization", token_header_});
    headers_.insert(headers_.end(), extra.begin(), extra.end());
    req_ = {};
    req_.verb = m;
    req_.target = target;
    req_.path = target.substr(0, target.find('?'));
    req_.headers = headers_;
    req_.body = body;
    req_.conn = &conn_;
    return site_.handle(req_);
  }

  static std::string code_of(const handled& h) {
    return std::string(json::parse(h.res.body).at("error").at("code").as_string());
  }

  struct opened {
    std::string id, token;
  };
  opened open(std::string_view transport, std::uint16_t port) {
    handled h = call(method::post, "/api/v1/reach",
                     fmt::format(R"({{"transport":"{}","port":{}}})", transport, port));
    EXPECT_EQ(h.res.status, 201u) << h.res.body;
    json::value v = json::parse(h.res.body);
    return {std::string(v.at("id").as_string()), std::string(v.at("token").as_string())};
  }

  std::string confirm_body(std::string_view nonce) {
    return fmt::format(R"({{"nonce":"{}"}})", nonce);
  }

  db::database db_;
  db::search_index index_;
  website site_;
  scan::probe_service service_;
  connection_info conn_;
  std::vector<header_view> headers_;
  std::string token_header_;
  request req_;
  asio::io_context io_;
};

TEST_F(reach_api_test, udp_nonce_arrives_and_is_confirmed_once_by_its_holder) {
  asio::ip::udp::socket sink(io_, {asio::ip::make_address(me), 0});
  std::uint16_t port = sink.local_endpoint().port();
  handled h =
      call(method::post, "/api/v1/reach", fmt::format(R"({{"transport":"udp","port":{}}})", port));
  ASSERT_EQ(h.res.status, 201u) << h.res.body;
  EXPECT_FALSE(h.res.shareable);
  json::value v = json::parse(h.res.body);
  std::string id(v.at("id").as_string()), token(v.at("token").as_string());
  EXPECT_EQ(v.at("address").as_string(), me);
  EXPECT_EQ(v.at("transport").as_string(), "udp");
  EXPECT_EQ(v.at("port").as_int64(), port);
  EXPECT_EQ(v.at("expires_in_s").as_int64(), 180);
  EXPECT_EQ(h.res.body.find("nonce"), std::string::npos);  // never in the API
  ASSERT_FALSE(h.res.headers.empty());
  EXPECT_EQ(h.res.headers[0].second, "/api/v1/reach/" + id);

  std::array<char, 256> buf{};
  std::size_t n = sink.receive(asio::buffer(buf));
  auto nonce = probe::find_reach_nonce(std::string_view(buf.data(), n), id);
  ASSERT_TRUE(nonce);
  std::string path = "/api/v1/reach/" + id;

  // Who is refused, and with which words.
  handled no_token = call(method::post, path + "/confirm", confirm_body(*nonce));
  EXPECT_EQ(no_token.res.status, 403u);
  EXPECT_EQ(code_of(no_token), "missing_token");
  handled bad_token = call(method::post, path + "/confirm", confirm_body(*nonce), "x" + token);
  EXPECT_EQ(bad_token.res.status, 403u);
  EXPECT_EQ(code_of(bad_token), "bad_token");
  handled other = call(method::post, path + "/confirm", confirm_body(*nonce), token, "198.18.0.9");
  EXPECT_EQ(other.res.status, 404u);
  EXPECT_EQ(code_of(other), "not_found");
  handled wrong = call(method::post, path + "/confirm",
                       confirm_body("ffffffffffffffffffffffffffffffff"), token);
  EXPECT_EQ(wrong.res.status, 403u);
  EXPECT_EQ(code_of(wrong), "wrong_nonce");
  EXPECT_EQ(call(method::post, path + "/confirm", R"({"nonce":"short"})", token).res.status, 400u);
  EXPECT_EQ(call(method::post, path + "/confirm", "{}", token).res.status, 400u);
  EXPECT_EQ(call(method::get, path, {}, token, "198.18.0.9").res.status, 404u);

  handled ok = call(method::post, path + "/confirm", confirm_body(*nonce), token);
  ASSERT_EQ(ok.res.status, 200u) << ok.res.body;
  json::value done = json::parse(ok.res.body);
  EXPECT_TRUE(done.at("reached").as_bool());
  EXPECT_GE(done.at("rtt_ms").as_double(), 0.0);
  handled again = call(method::post, path + "/confirm", confirm_body(*nonce), token);
  EXPECT_EQ(again.res.status, 409u);
  EXPECT_EQ(code_of(again), "already_confirmed");

  handled state = call(method::get, path, {}, token);
  ASSERT_EQ(state.res.status, 200u) << state.res.body;
  json::value s = json::parse(state.res.body);
  EXPECT_EQ(s.at("state").as_string(), "confirmed");
  EXPECT_EQ(s.at("transport").as_string(), "udp");
  EXPECT_TRUE(s.as_object().contains("rtt_ms"));
  EXPECT_EQ(s.at("expires_in_s").as_int64(), 0);
}

TEST_F(reach_api_test, tcp_message_is_written_to_the_listener) {
  asio::ip::tcp::acceptor listener(io_, {asio::ip::make_address(me), 0});
  opened t = open("tcp", listener.local_endpoint().port());
  asio::ip::tcp::socket s(io_);
  listener.accept(s);
  std::array<char, 256> buf{};
  boost::system::error_code ec;
  std::size_t n = asio::read(s, asio::buffer(buf), ec);
  auto nonce = probe::find_reach_nonce(std::string_view(buf.data(), n), t.id);
  ASSERT_TRUE(nonce) << std::string(buf.data(), n);
  s.close();
  handled ok =
      call(method::post, "/api/v1/reach/" + t.id + "/confirm", confirm_body(*nonce), t.token);
  EXPECT_EQ(ok.res.status, 200u) << ok.res.body;
  // The sender is done (written) once it has seen the close.
  json::value v;
  for (int i = 0; i < 200; ++i) {
    v = json::parse(call(method::get, "/api/v1/reach/" + t.id, {}, t.token).res.body);
    if (v.at("delivery").as_string() != "none") break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(v.at("delivery").as_string(), "written");
  EXPECT_EQ(v.at("attempts").as_int64(), 1);
}

TEST_F(reach_api_test, a_closed_port_shows_in_the_state) {
  std::uint16_t port = 0;
  {
    asio::ip::udp::socket gone(io_, {asio::ip::make_address(me), 0});
    port = gone.local_endpoint().port();
  }
  opened t = open("udp", port);
  json::value v;
  for (int i = 0; i < 200; ++i) {
    v = json::parse(call(method::get, "/api/v1/reach/" + t.id, {}, t.token).res.body);
    if (v.at("state").as_string() == "sent") break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(v.at("state").as_string(), "sent");
  EXPECT_EQ(v.at("delivery").as_string(), "refused");
  EXPECT_EQ(v.at("attempts").as_int64(), 2);
}

TEST_F(reach_api_test, bodies_content_types_and_cross_site_requests_are_checked) {
  for (std::string_view body :
       {"not json", "[]", R"({"transport":"udp"})", R"({"port":80})",
        R"({"transport":"sctp","port":80})", R"({"transport":"udp","port":0})",
        R"({"transport":"udp","port":65536})", R"({"transport":"udp","port":80.5})",
        R"({"transport":"udp","port":"80"})", R"({"transport":"udp","port":80,"to":"1.2.3.4"})"}) {
    handled h = call(method::post, "/api/v1/reach", body);
    EXPECT_EQ(h.res.status, 400u) << body;
    EXPECT_EQ(code_of(h), "bad_request") << body;
  }
  conn_.client_address = std::string(me);
  headers_ = {{"Host", "127.0.0.1:8080"}, {"Content-Type", "text/plain"}};
  req_ = {};
  req_.verb = method::post;
  req_.target = req_.path = "/api/v1/reach";
  req_.headers = headers_;
  req_.body = R"({"transport":"udp","port":9})";
  req_.conn = &conn_;
  EXPECT_EQ(site_.handle(req_).res.status, 415u);
  handled cross = call(method::post, "/api/v1/reach", R"({"transport":"udp","port":9})", {}, me,
                       {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(cross.res.status, 403u);
  EXPECT_EQ(code_of(cross), "cross_site");
  // Another address may not be chosen: a field naming one is refused above, and a header
  // naming one is not read (no proxy is trusted here).
  handled h = call(method::post, "/api/v1/reach", R"({"transport":"udp","port":9})", {}, me,
                   {{"X-Forwarded-For", "198.18.0.77"}});
  ASSERT_EQ(h.res.status, 201u) << h.res.body;
  EXPECT_EQ(json::parse(h.res.body).at("address").as_string(), me);
}

TEST_F(reach_api_test, a_requester_has_a_few_open_at_once) {
  asio::ip::udp::socket sink(io_, {asio::ip::make_address(me), 0});
  std::uint16_t port = sink.local_endpoint().port();
  for (int i = 0; i < 3; ++i) open("udp", port);
  handled h =
      call(method::post, "/api/v1/reach", fmt::format(R"({{"transport":"udp","port":{}}})", port));
  EXPECT_EQ(h.res.status, 429u);
  EXPECT_EQ(code_of(h), "reach_open");
  bool retry_after = false;
  for (const auto& [name, value] : h.res.headers) retry_after |= name == "Retry-After";
  EXPECT_TRUE(retry_after);
}

TEST_F(reach_api_test, loopback_is_refused_unless_allowed) {
  scan::probe_service_options o = options();
  o.allow_loopback = false;
  scan::probe_service strict(o);
  website site(db_, index_, {});
  add_reach_routes(site, strict);
  handled h;
  conn_.client_address = std::string(me);
  headers_ = {{"Host", "127.0.0.1:8080"}, {"Content-Type", "application/json"}};
  req_ = {};
  req_.verb = method::post;
  req_.target = req_.path = "/api/v1/reach";
  req_.headers = headers_;
  req_.body = R"({"transport":"udp","port":9})";
  req_.conn = &conn_;
  h = site.handle(req_);
  EXPECT_EQ(h.res.status, 403u);
  EXPECT_EQ(code_of(h), "target_not_allowed");
}

TEST_F(reach_api_test, the_page_shows_the_cli_and_the_curl_steps) {
  handled h = call(method::get, "/reach");
  ASSERT_EQ(h.res.status, 200u);
  EXPECT_FALSE(h.res.shareable);
  const std::string& b = h.res.body;
  EXPECT_NE(b.find("breakwater reach --server http://127.0.0.1 --udp 51820 --watch"),
            std::string::npos);
  EXPECT_NE(b.find("/api/v1/reach/ID/confirm"), std::string::npos);
  EXPECT_NE(b.find("Authorization: Bearer TOKEN"), std::string::npos);
  EXPECT_NE(b.find("<strong id=\"target\">127.0.0.1</strong>"), std::string::npos);
}

}  // namespace
}  // namespace breakwater::site
