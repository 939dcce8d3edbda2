#include "app/selfcheck_snapshot.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace breakwater::app {
namespace {

namespace json = boost::json;

snapshot sample() {
  snapshot s{"https://bw.test", "common", {}};
  s.seen["IPv4"] = {"198.18.1.1", {22, 443}, true, false};
  s.seen["IPv6"] = {"2001:db8::1", {22}, false, false};
  return s;
}

TEST(selfcheck, a_baseline_reads_back_unchanged) {
  snapshot s = sample();
  auto back = snapshot_from_json(to_json(s));
  ASSERT_TRUE(back) << back.error();
  EXPECT_TRUE(compare(s, *back).empty());
  EXPECT_EQ(back->seen.at("IPv4").open, (std::set<std::uint16_t>{22, 443}));
}

TEST(selfcheck, what_opened_is_new_what_closed_is_not) {
  snapshot before = sample(), now = sample();
  now.seen["IPv6"].open.insert(80);
  now.seen["IPv4"].open.erase(443);
  now.seen["IPv4"].upnp_answered = true;
  auto changes = compare(before, now);
  ASSERT_EQ(changes.size(), 3u);
  std::size_t fresh = 0;
  for (const change& c : changes) fresh += c.newly_reachable() ? 1u : 0u;
  EXPECT_EQ(fresh, 2u);  // IPv6 port 80 and UPnP; IPv4 443 closing is good news
  EXPECT_EQ(changes[0].sentence(), "IPv4: port 443 is no longer open");
}

TEST(selfcheck, a_family_tested_for_the_first_time_counts_what_it_shows) {
  snapshot before = sample();
  before.seen.erase("IPv6");
  auto changes = compare(before, sample());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].what, "family-new");
  EXPECT_TRUE(changes[1].newly_reachable());  // IPv6 port 22
  before = sample();
  snapshot now = sample();
  now.seen.erase("IPv6");
  changes = compare(before, now);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].what, "family-gone");
  EXPECT_FALSE(changes[0].newly_reachable());
}

TEST(selfcheck, reads_the_open_ports_of_a_finished_scan) {
  json::value scan = json::parse(R"({"state":"done","result":{"target":"198.18.1.1",
    "ports":[{"port":22,"state":"open"},{"port":23,"state":"closed"},{"port":"x","state":"open"}],
    "ping":{"answered":true},"upnp":null}})");
  auto v = view_of_scan(scan);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->address, "198.18.1.1");
  EXPECT_EQ(v->open, (std::set<std::uint16_t>{22}));
  EXPECT_TRUE(v->ping_answered);
  EXPECT_FALSE(v->upnp_answered);
  EXPECT_FALSE(view_of_scan(json::parse(R"({"state":"done"})")));
}

TEST(selfcheck, a_file_that_is_not_a_baseline_says_so) {
  for (const char* text : {"{}", "[1]", R"({"server":"x","ports":"y","families":{"IPv4":1}})",
                           R"({"server":"x","ports":"y","families":{"IPv4":{"address":"a",
                               "open":["22"],"ping":true,"upnp":false}}})"}) {
    auto s = snapshot_from_json(json::parse(text));
    ASSERT_FALSE(s) << text;
    EXPECT_NE(s.error().find("--save-baseline"), std::string::npos);
  }
}

}  // namespace
}  // namespace breakwater::app
