#include "app/selfcheck_snapshot.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace breakwater::app {
namespace {

namespace json = boost::json;

snapshot sample() {
  snapshot s{"https://bw.test", "common", {}, true, true};  // --ping and --upnp
  s.seen["IPv4"] = {"198.18.1.1", {22, 443}, true, false};
  s.seen["IPv6"] = {"2001:db8::1", {22}, false, false};
  return s;
}

TEST(selfcheck, a_baseline_reads_back_unchanged) {
  snapshot s = sample();
  auto back = snapshot_from_json(to_json(s));
  ASSERT_TRUE(back) << back.error();
  EXPECT_TRUE(compare(s, *back).changes.empty());
  EXPECT_EQ(back->seen.at("IPv4").open, (std::set<std::uint16_t>{22, 443}));
}

TEST(selfcheck, what_opened_is_new_what_closed_is_not) {
  snapshot before = sample(), now = sample();
  now.seen["IPv6"].open.insert(80);
  now.seen["IPv4"].open.erase(443);
  now.seen["IPv4"].upnp_answered = true;
  auto changes = compare(before, now).changes;
  ASSERT_EQ(changes.size(), 3u);
  std::size_t fresh = 0;
  for (const change& c : changes) fresh += c.newly_reachable() ? 1u : 0u;
  EXPECT_EQ(fresh, 2u);  // IPv6 port 80 and UPnP; IPv4 443 closing is good news
  EXPECT_EQ(changes[0].sentence(), "IPv4: port 443 is no longer open");
}

snapshot without(snapshot s, const std::string& family) {
  s.seen.erase(family);
  return s;
}

TEST(selfcheck, a_family_not_tested_this_time_is_not_a_change) {
  comparison diff = compare(sample(), without(sample(), "IPv6"));
  EXPECT_TRUE(diff.changes.empty());
  EXPECT_EQ(diff.compared, (std::vector<std::string>{"IPv4"}));
  EXPECT_EQ(diff.not_tested, (std::vector<std::string>{"IPv6"}));
  EXPECT_TRUE(diff.not_in_baseline.empty());
}

// A family the baseline never saw (the provider turned IPv6 on): what it exposes is news, as
// the alarm is for; nothing else about it is.
TEST(selfcheck, a_family_the_baseline_never_tested_reports_what_it_exposes) {
  snapshot now = sample();
  now.seen["IPv6"].open.insert(8080);
  comparison diff = compare(without(sample(), "IPv6"), now);
  std::set<std::uint16_t> opened;
  for (const change& c : diff.changes) {
    EXPECT_EQ(c.family, "IPv6");
    EXPECT_TRUE(c.newly_reachable()) << c.sentence();
    if (c.what == "opened") opened.insert(c.port);
  }
  EXPECT_EQ(opened, now.seen.at("IPv6").open);
  EXPECT_TRUE(compare(without(sample(), "IPv6"), without(sample(), "IPv6")).changes.empty());
  EXPECT_EQ(diff.not_in_baseline, (std::vector<std::string>{"IPv6"}));
  EXPECT_TRUE(diff.not_tested.empty());
  EXPECT_EQ(baseline_after(without(sample(), "IPv6"), now).seen.at("IPv6").open,
            (std::set<std::uint16_t>{22, 8080}));
}

// The review's case: both families saved; a run that cannot reach IPv6 saves again; IPv6 is
// back unchanged. The third run must find nothing new, so the second must keep IPv6's view.
TEST(selfcheck, a_family_back_after_an_outage_is_compared_with_its_last_view) {
  snapshot first = sample();
  snapshot second = baseline_after(first, without(sample(), "IPv6"));
  EXPECT_EQ(second.seen.at("IPv6").open, first.seen.at("IPv6").open);
  EXPECT_EQ(second.seen.at("IPv6").address, first.seen.at("IPv6").address);
  comparison diff = compare(second, sample());
  EXPECT_TRUE(diff.changes.empty());
  EXPECT_EQ(diff.compared, (std::vector<std::string>{"IPv4", "IPv6"}));
  EXPECT_TRUE(diff.not_in_baseline.empty());
}

TEST(selfcheck, a_family_tested_this_time_is_saved_as_it_is_now) {
  snapshot now = sample();
  now.seen["IPv4"].open = {8443};
  now.seen["IPv4"].ping_answered = false;
  snapshot saved = baseline_after(sample(), now);
  EXPECT_EQ(saved.seen.at("IPv4").open, (std::set<std::uint16_t>{8443}));
  EXPECT_FALSE(saved.seen.at("IPv4").ping_answered);
  EXPECT_TRUE(compare(now, saved).changes.empty());
}

TEST(selfcheck, a_baseline_of_other_ports_or_another_server_says_both) {
  snapshot base = sample();
  EXPECT_EQ(settings_differ(base, "https://bw.test", "common"), "");
  EXPECT_EQ(settings_differ(base, "https://bw.test", "all"),
            "the baseline was taken against https://bw.test with --ports common; this run asks "
            "https://bw.test with --ports all");
  EXPECT_NE(settings_differ(base, "https://other.test", "common"), "");
  // --server drops a trailing slash now; a baseline saved with one is the same server.
  base.server = "https://bw.test/";
  EXPECT_EQ(settings_differ(base, "https://bw.test", "common"), "");
}

// Ping and UPnP count only where both runs tested them (the baseline records --ping and
// --upnp); a baseline from before they were recorded is taken to match the run.
TEST(selfcheck, ping_and_upnp_are_compared_only_when_both_runs_tested_them) {
  snapshot before = sample();  // IPv4 answered ping
  before.ping = false;
  before.upnp = true;
  before.seen["IPv4"].ping_answered = false;
  snapshot now = sample();
  now.ping = true;  // this run adds --ping and leaves out --upnp
  now.upnp = false;
  now.seen["IPv4"].ping_answered = true;
  before.seen["IPv6"].upnp_answered = true;  // answered UPnP last time; not asked now
  EXPECT_TRUE(compare(before, now).changes.empty());

  // Saved after this run: ping as now, UPnP as the baseline had it.
  snapshot saved = baseline_after(before, now);
  EXPECT_EQ(saved.ping, true);
  EXPECT_EQ(saved.upnp, true);
  EXPECT_TRUE(saved.seen.at("IPv4").ping_answered);
  EXPECT_TRUE(saved.seen.at("IPv6").upnp_answered);
  auto back = snapshot_from_json(to_json(saved));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->ping, true);
  EXPECT_EQ(back->upnp, true);

  // The next run tests both: IPv6 stopped answering UPnP, which is reported.
  snapshot next = sample();
  next.ping = next.upnp = true;
  next.seen["IPv4"].ping_answered = true;
  auto changes = compare(*back, next).changes;
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].sentence(), "IPv6: UPnP (SSDP) no longer answers");

  // An old baseline (neither recorded) tested ping if some family answered it (IPv4 did),
  // and is compared; of UPnP, which nothing answered, it cannot say: not compared.
  snapshot old = sample();
  old.ping = old.upnp = std::nullopt;
  snapshot plain = sample();
  plain.seen["IPv6"].ping_answered = true;
  plain.seen["IPv6"].upnp_answered = true;
  ASSERT_EQ(compare(old, plain).changes.size(), 1u);
  EXPECT_EQ(compare(old, plain).changes[0].what, "ping-answers");
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
