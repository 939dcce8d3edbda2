#include "site/scan_verdict.hpp"
#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

using probe::port_state;

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string all_text(const verdict_text& v) {
  std::string out = v.headline;
  for (const auto& p : v.paragraphs) out += "\n" + p;
  for (const auto& a : v.actions) out += "\n" + a;
  return out;
}

// A finished scan of `ports` where everything is stealth but the given states.
scan::scan_view finished(std::string_view ports,
                         std::vector<std::pair<std::uint16_t, port_state>> answers = {}) {
  scan::scan_view v;
  v.id = "abc";
  v.target = "198.18.0.2";
  v.kind = scan::scan_kind::service;
  v.ports = *probe::parse_port_set(ports);
  v.phase = scan::scan_phase::done;
  for (std::uint16_t p : v.ports.ports()) {
    probe::port_result r;
    r.port = p;
    for (const auto& [port, state] : answers) {
      if (port == p) {
        r.state = state;
        r.why = state == port_state::open ? probe::reason::syn_ack : probe::reason::rst;
      }
    }
    v.result.ports.push_back(r);
  }
  v.decided = v.result.ports.size();
  return v;
}

void with_ping(scan::scan_view& v, bool answered) {
  v.ping = true;
  probe::ping_result p;
  p.permitted = true;
  p.answered = answered;
  p.sent = 3;
  p.received = answered ? 3 : 0;
  v.result.ping = p;
}

TEST(verdict, tru_stealth_needs_every_port_stealth_and_no_ping_answer) {
  db::database db = db::testing::small_database();
  scan::scan_view v = finished("0-1055");
  with_ping(v, false);
  verdict_text t = make_verdict(v, db);
  EXPECT_EQ(t.kind, verdict_kind::tru_stealth);
  EXPECT_TRUE(has(t.headline, "TruStealth"));
  EXPECT_TRUE(t.open.empty());
  EXPECT_TRUE(t.closed.empty());
  EXPECT_TRUE(has(all_text(t), "1056 ports tested: 0 open, 0 closed, 1056 stealth"));
}

TEST(verdict, no_tru_stealth_when_ping_answers_or_was_not_tested) {
  db::database db = db::testing::small_database();
  scan::scan_view pinged = finished("0-1055");
  with_ping(pinged, true);
  verdict_text t = make_verdict(pinged, db);
  EXPECT_EQ(t.kind, verdict_kind::ping_answered);
  EXPECT_FALSE(has(t.headline, "TruStealth"));
  EXPECT_TRUE(has(all_text(t), "respond to ping"));

  verdict_text untested = make_verdict(finished("0-1055"), db);
  EXPECT_EQ(untested.kind, verdict_kind::stealth);
  EXPECT_TRUE(has(all_text(untested), "cannot be called TruStealth"));

  scan::scan_view not_permitted = finished("0-1055");
  with_ping(not_permitted, false);
  not_permitted.result.ping->permitted = false;
  EXPECT_EQ(make_verdict(not_permitted, db).kind, verdict_kind::stealth);
}

TEST(verdict, no_tru_stealth_when_upnp_answers_or_the_scan_stopped_early) {
  db::database db = db::testing::small_database();
  scan::scan_view v = finished("0-1055");
  with_ping(v, false);
  v.upnp = true;
  probe::upnp_result u;
  u.answered = true;
  v.result.upnp = u;
  verdict_text t = make_verdict(v, db);
  EXPECT_EQ(t.kind, verdict_kind::upnp_exposed);
  EXPECT_TRUE(has(all_text(t), "Turn off UPnP"));

  scan::scan_view stopped = finished("0-1055");
  with_ping(stopped, false);
  stopped.phase = scan::scan_phase::cancelled;
  stopped.result.ports.resize(100);
  stopped.result.cancelled = true;
  verdict_text s = make_verdict(stopped, db);
  EXPECT_EQ(s.kind, verdict_kind::stealth);
  EXPECT_TRUE(s.cancelled);
  EXPECT_TRUE(has(all_text(s), "stopped before it finished"));
}

TEST(verdict, open_ports_name_the_entry_and_its_advice) {
  std::vector<db::entry> entries{db::testing::make_entry(22, "SSH", "Remote shells.")};
  entries[0].advice = "Allow only key logins.";
  db::database db({db::testing::row("ssh", 22, 22, db::transport::tcp, "SSH")}, std::move(entries));
  scan::scan_view v = finished(
      "0-1055", {{22, port_state::open}, {8, port_state::open}, {113, port_state::closed}});
  verdict_text t = make_verdict(v, db);
  EXPECT_EQ(t.kind, verdict_kind::open_ports);
  EXPECT_EQ(t.headline, "2 ports of your connection accept connections from the internet.");
  ASSERT_EQ(t.open.size(), 2U);
  EXPECT_EQ(t.open[0].port, 8);
  EXPECT_FALSE(t.open[0].has_entry);
  EXPECT_TRUE(has(t.open[0].advice, "port forwarding"));
  EXPECT_EQ(t.open[1].port, 22);
  EXPECT_TRUE(t.open[1].has_entry);
  EXPECT_EQ(t.open[1].name, "SSH");
  EXPECT_EQ(t.open[1].advice, "Allow only key logins.");
  EXPECT_TRUE(has(t.open[1].why, "Summary of SSH."));
  ASSERT_EQ(t.closed.size(), 1U);
  EXPECT_EQ(t.closed[0].port, 113);
  EXPECT_TRUE(has(all_text(t), "drop unsolicited packets"));
  EXPECT_TRUE(has(all_text(t), "1056 ports tested: 2 open, 1 closed, 1053 stealth"));
}

TEST(verdict, one_open_port_reads_in_the_singular) {
  db::database db = db::testing::small_database();
  verdict_text t = make_verdict(finished("22", {{22, port_state::open}}), db);
  EXPECT_EQ(t.headline, "1 port of your connection accepts connections from the internet.");
  verdict_text c = make_verdict(finished("22", {{22, port_state::closed}}), db);
  EXPECT_EQ(c.kind, verdict_kind::closed_ports);
  EXPECT_EQ(c.headline, "No open ports, but 1 port answered that it is closed.");
}

TEST(verdict, running_and_failed_scans) {
  db::database db = db::testing::small_database();
  scan::scan_view v = finished("0-1055");
  v.phase = scan::scan_phase::running;
  v.decided = 10;
  verdict_text r = make_verdict(v, db);
  EXPECT_EQ(r.kind, verdict_kind::running);
  EXPECT_EQ(r.headline, "Testing: 10 of 1056 ports decided so far.");
  v.phase = scan::scan_phase::failed;
  v.error = "the probe engine stopped: no file descriptors";
  verdict_text f = make_verdict(v, db);
  EXPECT_EQ(f.kind, verdict_kind::failed);
  EXPECT_TRUE(has(all_text(f), "no file descriptors"));
}

TEST(verdict, ping_only_test) {
  db::database db = db::testing::small_database();
  scan::scan_view v;
  v.kind = scan::scan_kind::ping;
  v.phase = scan::scan_phase::done;
  with_ping(v, false);
  verdict_text quiet = make_verdict(v, db);
  EXPECT_EQ(quiet.kind, verdict_kind::nothing_found);
  EXPECT_FALSE(has(quiet.headline, "TruStealth"));  // no ports were tested
  with_ping(v, true);
  EXPECT_EQ(make_verdict(v, db).kind, verdict_kind::ping_answered);
}

TEST(verdict, explains_each_state_for_one_port) {
  db::database db = db::testing::small_database();
  auto open = explain_port_state(443, port_state::open, db);
  ASSERT_EQ(open.size(), 2U);
  EXPECT_TRUE(has(open[0], "accepted a connection on port 443:"));
  EXPECT_EQ(open[1], "Summary of HTTPS.");
  EXPECT_TRUE(has(explain_port_state(9, port_state::closed, db)[0], "refused port 9"));
  EXPECT_TRUE(has(explain_port_state(9, port_state::stealth, db)[0], "best result"));
}

}  // namespace
}  // namespace breakwater::site
