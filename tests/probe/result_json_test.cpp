// The JSON shape of scan results, as the CLI prints it and the web API will serve it.
#include "probe/result_json.hpp"

#include <gtest/gtest.h>
#include <boost/asio/ip/address.hpp>
#include "common/json_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {

using namespace breakwater::probe;
using namespace std::chrono_literals;

TEST(result_json, has_the_documented_shape) {
  scan_result r;
  r.target = boost::asio::ip::make_address("198.18.0.2");
  r.ports.push_back({22, port_state::open, reason::syn_ack, std::nullopt, 400us, 1});
  r.ports.push_back({23, port_state::closed, reason::icmp_unreachable, icmp_info{3, 13}, 51ms, 1});
  r.ports.push_back({24, port_state::stealth, reason::no_response, std::nullopt, std::nullopt, 2,
                     recheck::rechecked});
  r.elapsed = 1234ms;
  ping_result p;
  p.permitted = true;
  p.answered = true;
  p.method = "raw";
  p.sent = 1;
  p.received = 1;
  p.rtt = 50ms;
  r.ping = p;
  auto v = scan_to_json(r).as_object();
  EXPECT_EQ(v.at("target").as_string(), "198.18.0.2");
  const auto& ports = v.at("ports").as_array();
  ASSERT_EQ(ports.size(), 3u);
  // Plain decimals, as the issue's example shows them (Boost.JSON alone prints 4E-1).
  EXPECT_EQ(
      breakwater::common::json_text(ports[0]),
      R"({"port":22,"transport":"tcp","state":"open","reason":"syn-ack","rtt_ms":0.4,"tries":1})");
  EXPECT_EQ(ports[1].at("icmp").at("code").to_number<int>(), 13);
  EXPECT_EQ(ports[1].at("reason").as_string(), "icmp-unreachable");
  EXPECT_FALSE(ports[2].as_object().contains("rtt_ms"));
  EXPECT_EQ(ports[2].at("icmp_rate_limit").as_string(), "rechecked");
  EXPECT_EQ(v.at("ping").at("answered").as_bool(), true);
  EXPECT_TRUE(v.at("upnp").is_null());
  EXPECT_EQ(breakwater::common::json_text(v.at("summary")), R"({"open":1,"closed":1,"stealth":1})");
  // Everything else serialises as Boost.JSON does: escaped strings, null, nested values.
  boost::json::value odd = {
      {"s", "a\"b\n"}, {"n", nullptr}, {"d", 51.54}, {"big", 1e21}, {"a", {1, -2.5, true}}};
  EXPECT_EQ(breakwater::common::json_text(odd),
            R"({"s":"a\"b\n","n":null,"d":51.54,"big":1e+21,"a":[1,-2.5,true]})");
  EXPECT_EQ(boost::json::parse(breakwater::common::json_text(odd)), odd);
  EXPECT_EQ(v.at("elapsed_ms").to_number<int>(), 1234);
  EXPECT_FALSE(v.contains("error"));
  EXPECT_FALSE(v.contains("icmp_limit"));  // no re-check ran
  r.icmp_rate_limited = true;
  r.icmp_limit = scan_result::icmp_limit_seen{6, 250ms, true, false};
  EXPECT_EQ(breakwater::common::json_text(scan_to_json(r).as_object().at("icmp_limit")),
            R"({"burst":6,"refill_ms":250,"learned":true,"tightened":false})");
  r.stopped_by = failure{make_error_code(errc::no_route), operation::connect, "port 80"};
  auto stopped = scan_to_json(r).as_object();
  EXPECT_NE(stopped.at("error").as_string().find("no route"), boost::json::string::npos);
  EXPECT_EQ(stopped.at("ports").as_array().size(), 3u);  // what was found is kept
  // The ports as text, port by port: the same text as the document's array.
  EXPECT_EQ(ports_json_text(r.ports, false), breakwater::common::json_text(stopped.at("ports")));
  EXPECT_EQ(ports_json_text({}, false), "[]");
  EXPECT_TRUE(scan_to_json(r, false).at("ports").as_array().empty());
}

TEST(result_json, udp_ports_have_their_answer_and_summary) {
  scan_result r;
  r.target = boost::asio::ip::make_address("198.18.0.2");
  port_result dns{53, port_state::open, reason::udp_answer, std::nullopt, 2ms, 1};
  dns.proto = transport::udp;
  dns.udp = udp_answer{"DNS", 29, 45, 1, "\\x12", "recursion available", "open-resolver"};
  port_result filtered{135,
                       port_state::filtered,
                       reason::icmp_unreachable,
                       icmp_info{3, 13, boost::asio::ip::make_address("10.9.0.1")},
                       3ms,
                       1};
  filtered.proto = transport::udp;
  port_result wg{51820, port_state::stealth, reason::no_response, std::nullopt, std::nullopt, 2};
  wg.proto = transport::udp;
  r.udp = {dns, filtered, wg};
  auto v = scan_to_json(r).as_object();
  EXPECT_TRUE(v.at("ports").as_array().empty());
  const auto& udp = v.at("udp").as_array();
  ASSERT_EQ(udp.size(), 3u);
  EXPECT_EQ(udp[0].at("transport").as_string(), "udp");
  EXPECT_EQ(udp[0].at("protocol").as_string(), "DNS");
  EXPECT_EQ(udp[0].at("amplification").to_number<double>(), 1.55);
  EXPECT_EQ(udp[0].at("finding").as_string(), "open-resolver");
  EXPECT_EQ(udp[1].at("state").as_string(), "filtered");
  EXPECT_EQ(udp[1].at("icmp").at("name").as_string(), "admin-prohibited");
  EXPECT_EQ(udp[1].at("icmp").at("from").as_string(), "10.9.0.1");
  EXPECT_NE(udp[2].at("silence").as_string().find("WireGuard"), boost::json::string::npos);
  EXPECT_EQ(breakwater::common::json_text(v.at("udp_summary")),
            R"({"open":1,"closed":0,"stealth":1,"filtered":1})");
}

}  // namespace
