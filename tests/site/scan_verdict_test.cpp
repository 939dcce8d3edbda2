#include "site/scan_verdict.hpp"
#include "probe/wire/udp/finding.hpp"
#include "site/udp_words.hpp"
#include "support/test_data.hpp"
#include "support/udp_results.hpp"

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

TEST(verdict, a_reflector_comes_first_in_words_from_the_findings_table) {
  db::database db = db::testing::small_database();
  verdict_text t = make_verdict(testing::udp_scan(), db);
  EXPECT_EQ(t.kind, verdict_kind::udp_reflector);
  EXPECT_EQ(t.headline,
            "Your address answers DNS queries from anyone: it can be used to attack others "
            "(amplification x1.6).");
  ASSERT_EQ(t.udp.size(), 1U);
  EXPECT_EQ(t.udp[0].port, 53);
  EXPECT_TRUE(t.udp[0].reflector);
  // The advice is the table's, not a copy.
  std::string_view advice = probe::udp::find_finding("open-resolver")->advice;
  EXPECT_EQ(t.udp[0].advice, advice);
  ASSERT_FALSE(t.actions.empty());
  EXPECT_EQ(t.actions[0], "UDP port 53 (DNS): " + std::string(advice));
  std::string all = all_text(t);
  EXPECT_TRUE(has(all, "Of 4 UDP ports tested: 1 answered, 1 closed, 1 filtered, 1 no answer."));
  EXPECT_TRUE(has(all, "stealth, or a service that stays silent"));
  EXPECT_TRUE(has(all, "A reflector answers a small request with a larger answer."));
  EXPECT_TRUE(has(all, "A filtered UDP port drew an ICMP error"));
  EXPECT_TRUE(has(all, "UDP port 51820 (WireGuard): Silence is what a healthy WireGuard port"));
  EXPECT_TRUE(has(all, "drop unsolicited packets"));
  EXPECT_FALSE(has(all, "TruStealth"));
}

TEST(verdict, reflectors_by_amplification_then_other_findings_then_plain_answers) {
  db::database db = db::testing::small_database();
  scan::scan_view v = testing::udp_scan();
  v.udp_ports = *probe::parse_port_set("53,3478,5060,11211");
  v.result.udp = {
      testing::open_resolver(), testing::udp_open(3478, "STUN", 20, 32, "", "a STUN server", ""),
      testing::udp_open(5060, "SIP", 300, 500, "sip-exposed", "a SIP server", ""),
      testing::udp_open(11211, "memcached", 17, 700, "memcached-udp", "memcached 1.6.21", "")};
  verdict_text t = make_verdict(v, db);
  ASSERT_EQ(t.udp.size(), 4U);
  EXPECT_EQ(t.udp[0].port, 11211);  // x41 before x1.6
  EXPECT_EQ(t.udp[1].port, 53);
  EXPECT_EQ(t.udp[2].port, 5060);
  EXPECT_FALSE(t.udp[2].reflector);
  EXPECT_EQ(t.udp[2].sentence, "Your address answers SIP from the internet.");
  EXPECT_EQ(t.udp[3].port, 3478);
  EXPECT_TRUE(t.udp[3].sentence.empty());
  EXPECT_EQ(t.headline,
            "Your address runs memcached with UDP open to the internet: it can be used to attack "
            "others (amplification x41).");
  EXPECT_TRUE(has(t.actions[0], "UDP port 11211 (memcached): memcached over UDP"));
  EXPECT_TRUE(has(all_text(t), "For each UDP service that answered"));

  v.result.udp = {v.result.udp[2]};  // SIP alone: a finding, not a reflector
  v.udp_ports = *probe::parse_port_set("5060");
  verdict_text sip = make_verdict(v, db);
  EXPECT_EQ(sip.kind, verdict_kind::udp_exposed);
  EXPECT_EQ(sip.headline, "Your address answers SIP from the internet.");
}

TEST(verdict, udp_answers_without_findings_closed_and_silent_udp_ports) {
  db::database db = db::testing::small_database();
  scan::scan_view v = testing::udp_scan();
  v.result.udp[0] = testing::udp_open(53, "DNS", 29, 40, "", "a DNS server", "");
  verdict_text open = make_verdict(v, db);
  EXPECT_EQ(open.kind, verdict_kind::udp_open);
  EXPECT_EQ(open.headline, "1 UDP service of your connection answers from the internet.");

  v.result.udp[0] = testing::udp_silent(53);
  verdict_text refused = make_verdict(v, db);
  EXPECT_EQ(refused.kind, verdict_kind::closed_ports);
  EXPECT_EQ(
      refused.headline,
      "No TCP port was tested and no UDP service answered, but 2 ports refused the probes, which "
      "shows that something is there.");

  for (auto& r : v.result.udp) r = testing::udp_silent(r.port);
  verdict_text silent = make_verdict(v, db);
  EXPECT_EQ(silent.kind, verdict_kind::stealth);
  EXPECT_EQ(silent.headline, "No UDP service answered: every port tested was silent.");
  EXPECT_TRUE(has(all_text(silent), "silence proves neither"));

  // TCP and UDP in one scan: each has its own summary line.
  scan::scan_view both = finished("20-23", {{22, port_state::closed}});
  both.udp_ports = *probe::parse_port_set("123");
  both.result.udp = {testing::udp_silent(123)};
  verdict_text b = make_verdict(both, db);
  EXPECT_EQ(b.headline, "No open ports, but 1 port answered that it is closed.");
  EXPECT_TRUE(has(all_text(b), "Of 4 TCP ports tested: 0 open, 1 closed, 3 stealth."));
  EXPECT_TRUE(has(all_text(b), "Of 1 UDP port tested: 0 answered, 0 closed, 0 filtered, 1 no"));
}

TEST(verdict, explains_each_udp_state_for_one_port) {
  auto open = explain_udp_state(testing::open_resolver(), false);
  ASSERT_EQ(open.size(), 2U);
  EXPECT_EQ(open[0],
            "A service on your connection answered a DNS request on UDP port 53 (DNS): anyone on "
            "the internet can reach it.");
  EXPECT_TRUE(has(open[1], "Its answer: a DNS resolver open to anyone"));
  EXPECT_TRUE(has(explain_udp_state(testing::udp_closed(123), false)[0],
                  "answered UDP port 123 (NTP) with ICMP port unreachable"));
  EXPECT_TRUE(has(explain_udp_state(testing::udp_filtered(161, "198.18.0.254"), false)[0],
                  "with ICMP admin prohibited (from 198.18.0.254): the port is filtered"));
  auto silent = explain_udp_state(testing::udp_silent(51820), false);
  ASSERT_EQ(silent.size(), 2U);
  EXPECT_TRUE(has(silent[0], "stealth, or a service that stays silent"));
  EXPECT_TRUE(has(silent[1], "Silence is what a healthy WireGuard port sends"));
  EXPECT_EQ(explain_udp_state(testing::udp_silent(9999), false).size(), 1U);
}

// A test without ports says what ran and what it showed: never "Nothing answered." in green
// for a refusal, a test that could not run, or a scan stopped before any port (a review
// found each of them).
scan::scan_view without_ports() {
  scan::scan_view v;
  v.id = "abc";
  v.target = "198.18.0.2";
  v.phase = scan::scan_phase::done;
  return v;
}

TEST(verdict, a_test_without_ports_never_calls_a_refusal_or_a_failure_nothing) {
  db::database db = db::testing::small_database();
  scan::scan_view upnp = without_ports();
  upnp.kind = scan::scan_kind::upnp;
  upnp.upnp = true;
  upnp.result.upnp = probe::upnp_result{};
  upnp.result.upnp->refused = true;
  verdict_text refused = make_verdict(upnp, db);
  EXPECT_EQ(refused.kind, verdict_kind::closed_ports);
  EXPECT_TRUE(has(refused.headline, "refused the UPnP discovery request")) << refused.headline;
  EXPECT_FALSE(has(all_text(refused), "did not answer UPnP discovery")) << all_text(refused);

  upnp.result.upnp->refused = false;
  upnp.result.upnp->error = "no route to the address";
  verdict_text failed = make_verdict(upnp, db);
  EXPECT_EQ(failed.kind, verdict_kind::inconclusive);
  EXPECT_TRUE(has(all_text(failed), "could not run on this server (no route to the address)"))
      << all_text(failed);
  EXPECT_FALSE(has(all_text(failed), "as it should"));

  scan::scan_view ping = without_ports();
  ping.kind = scan::scan_kind::ping;
  ping.ping = true;
  ping.result.ping = probe::ping_result{};  // not permitted
  EXPECT_EQ(make_verdict(ping, db).kind, verdict_kind::inconclusive);
  EXPECT_TRUE(has(make_verdict(ping, db).headline, "The ping test could not run"));

  scan::scan_view early = without_ports();
  early.ports = *probe::parse_port_set("1-1000");
  early.phase = scan::scan_phase::cancelled;
  early.result.cancelled = true;
  EXPECT_EQ(make_verdict(early, db).headline, "The scan was stopped before any port was tested.");
  EXPECT_EQ(make_verdict(early, db).kind, verdict_kind::inconclusive);
}

// A UDP-only test names no TCP ports in its headline ("No open ports" said what was not tested).
TEST(verdict, a_udp_only_refusal_does_not_speak_of_open_ports) {
  db::database db = db::testing::small_database();
  scan::scan_view v = without_ports();
  v.kind = scan::scan_kind::udp;
  v.udp_ports = *probe::parse_port_set("123");
  v.result.udp.push_back(testing::udp_closed(123));
  verdict_text t = make_verdict(v, db);
  EXPECT_EQ(t.kind, verdict_kind::closed_ports);
  EXPECT_TRUE(has(t.headline, "No TCP port was tested and no UDP service answered")) << t.headline;
}

TEST(verdict, amplification_in_words) {
  EXPECT_EQ(amplification_text(45.0 / 29.0), "x1.6");
  EXPECT_EQ(amplification_text(41.2), "x41");
  EXPECT_EQ(amplification_text(2.0), "x2");
  EXPECT_EQ(amplification_text(9.97), "x10");
  EXPECT_EQ(amplification_text(0.5), "x0.5");
}

}  // namespace
}  // namespace breakwater::site
