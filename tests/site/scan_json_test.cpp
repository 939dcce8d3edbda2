// The API's JSON of a scan written in pieces: any budget gives the same document as the whole,
// text a target sent cannot move the verdicts, and a large answer is streamed so that a
// client that stops reading holds a piece or two, not the document.
#include "site/scan_json.hpp"

#include "support/gunzip.hpp"
#include "support/udp_results.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <memory>
#include <string>

namespace breakwater::site {
namespace {

namespace json = boost::json;
using probe::port_state;

probe::port_result tcp(std::uint16_t port, port_state state) {
  probe::port_result p;
  p.port = port;
  p.state = state;
  p.why = state == port_state::open ? probe::reason::syn_ack : probe::reason::no_response;
  p.tries = state == port_state::open ? 1 : 3;
  return p;
}

// A finished full range of 198.18.0.2: 22 and 443 open, the rest stealth; a UPnP answer whose
// headers spell the document's own keys.
scan::scan_view full_range() {
  scan::scan_view v;
  v.id = "Full_1";
  v.target = "198.18.0.2";
  v.kind = scan::scan_kind::full;
  v.ports = *probe::parse_port_set("all");
  v.upnp = true;
  v.phase = scan::scan_phase::done;
  v.result.target = boost::asio::ip::make_address("198.18.0.2");
  for (unsigned port = 0; port <= 65535; ++port) {
    bool open = port == 22 || port == 443;
    v.result.ports.push_back(
        tcp(static_cast<std::uint16_t>(port), open ? port_state::open : port_state::stealth));
  }
  probe::upnp_result u;
  u.answered = true;
  u.headers = {{"SERVER", "\"ports\":[],\"udp\":[]}]"}, {"ST", "],\"udp\":["}};
  v.result.upnp = u;
  v.decided = 65536;
  return v;
}

std::string in_pieces(const scan::scan_view& v, std::size_t budget) {
  scan_json_writer w(scan::snapshot_of(v));
  std::string out;
  std::size_t pieces = 0;
  while (w.next(out, budget)) ++pieces;
  EXPECT_GT(pieces, 0U);
  return out;
}

TEST(scan_json, the_document_has_every_port_in_order_and_counts_them) {
  json::value d = json::parse(scan_json(scan::snapshot_of(full_range())));
  EXPECT_EQ(d.at("kind").as_string(), "full");
  EXPECT_EQ(d.at("progress").at("decided").as_int64(), 65536);
  const json::object& r = d.at("result").as_object();
  EXPECT_EQ(r.at("target").as_string(), "198.18.0.2");
  const json::array& ports = r.at("ports").as_array();
  ASSERT_EQ(ports.size(), 65536U);
  EXPECT_EQ(ports[22].at("state").as_string(), "open");
  EXPECT_EQ(ports[65535].at("port").as_int64(), 65535);
  EXPECT_EQ(r.at("summary").at("open").as_int64(), 2);
  EXPECT_EQ(r.at("summary").at("stealth").as_int64(), 65534);
  EXPECT_FALSE(r.contains("udp")) << "a TCP scan has no UDP array";
  EXPECT_EQ(r.at("upnp").at("headers").at("SERVER").as_string(), "\"ports\":[],\"udp\":[]}]");
}

TEST(scan_json, any_budget_gives_the_same_document) {
  scan::scan_view v = full_range();
  v.result.ports.resize(300);  // a custom scan of 0-299
  v.ports = *probe::parse_port_set("0-299");
  v.udp_ports = *probe::parse_port_set("53,123,161,51820");
  v.result.udp = testing::udp_scan().result.udp;
  std::string whole = scan_json(scan::snapshot_of(v));
  for (std::size_t budget : {std::size_t{1}, std::size_t{70}, std::size_t{4096}}) {
    EXPECT_EQ(in_pieces(v, budget), whole) << budget;
  }
  json::value d = json::parse(whole);
  EXPECT_EQ(d.at("result").at("ports").as_array().size(), 300U);
  EXPECT_EQ(d.at("result").at("udp").as_array().size(), 4U);
  EXPECT_EQ(d.at("result").at("udp_summary").at("filtered").as_int64(), 1);
}

TEST(scan_json, a_udp_array_is_there_before_any_udp_verdict) {
  scan::scan_view v = testing::udp_scan();
  v.result.udp.clear();
  v.phase = scan::scan_phase::running;
  json::value d = json::parse(scan_json(scan::snapshot_of(v)));
  EXPECT_TRUE(d.at("result").at("udp").as_array().empty());
  EXPECT_TRUE(d.at("result").at("ports").as_array().empty());
  EXPECT_FALSE(d.at("result").as_object().contains("udp_summary"));
}

// Records what the source writes; `drain` plays the session taking it.
struct sink final : async_sink {
  std::vector<std::string> pieces;
  bool ended = false;
  void write(std::string bytes) override { pieces.push_back(std::move(bytes)); }
  void end() override { ended = true; }
  void complete(response) override { ADD_FAILURE() << "a stream never completes"; }
};

std::string drain(const response& res, sink& s) {
  std::string all;
  std::size_t taken = 0;
  for (int guard = 0; !s.ended && guard < 100000; ++guard) {
    for (; taken < s.pieces.size(); ++taken) all += s.pieces[taken];
    res.later->on_drained();
  }
  for (; taken < s.pieces.size(); ++taken) all += s.pieces[taken];
  return all;
}

TEST(scan_json, a_small_result_is_answered_whole) {
  response res = scan_json_answer(scan::snapshot_of(testing::udp_scan()), true);
  EXPECT_EQ(res.later, nullptr);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_NO_THROW(json::parse(res.body));
}

TEST(scan_json, a_client_that_stops_reading_a_full_range_holds_one_piece) {
  scan::scan_view v = full_range();
  std::string whole = scan_json(scan::snapshot_of(v));
  ASSERT_GT(whole.size(), 4'000'000U);
  response res = scan_json_answer(scan::snapshot_of(v), false);
  ASSERT_NE(res.later, nullptr);
  EXPECT_TRUE(res.stream);
  EXPECT_TRUE(res.body.empty());
  EXPECT_TRUE(res.heartbeat.empty()) << "a heartbeat would corrupt the JSON";
  auto s = std::make_shared<sink>();
  res.later->start(s);
  // Started and never drained: one piece, whatever the document's size.
  ASSERT_EQ(s->pieces.size(), 1U);
  EXPECT_GE(s->pieces[0].size(), 16U * 1024);
  EXPECT_LE(s->pieces[0].size(), 64U * 1024);
  EXPECT_FALSE(s->ended);
  EXPECT_EQ(drain(res, *s), whole);
  EXPECT_TRUE(s->ended);
  for (std::size_t i = 0; i + 1 < s->pieces.size(); ++i) {
    EXPECT_LE(s->pieces[i].size(), 64U * 1024) << i;
  }
}

TEST(scan_json, a_gzip_stream_inflates_to_the_document) {
  scan::scan_view v = full_range();
  response res = scan_json_answer(scan::snapshot_of(v), true);
  ASSERT_NE(res.later, nullptr);
  bool said_gzip = false, said_vary = false;
  for (const auto& [name, value] : res.headers) {
    said_gzip = said_gzip || (name == "Content-Encoding" && value == "gzip");
    said_vary = said_vary || (name == "Vary" && value == "Accept-Encoding");
  }
  EXPECT_TRUE(said_gzip);
  EXPECT_TRUE(said_vary);
  auto s = std::make_shared<sink>();
  res.later->start(s);
  ASSERT_EQ(s->pieces.size(), 1U);
  EXPECT_LE(s->pieces[0].size(), 64U * 1024);
  std::string gz = drain(res, *s);
  EXPECT_LT(gz.size(), 1'000'000U);
  EXPECT_EQ(breakwater::testing::gunzip(gz), scan_json(scan::snapshot_of(v)));
}

TEST(scan_json, a_source_destroyed_part_way_writes_nothing_more) {
  response res = scan_json_answer(scan::snapshot_of(full_range()), false);
  auto s = std::make_shared<sink>();
  res.later->start(s);
  res.later.reset();  // the client went away: the session drops the source
  EXPECT_EQ(s->pieces.size(), 1U);
  EXPECT_FALSE(s->ended);
}

}  // namespace
}  // namespace breakwater::site
