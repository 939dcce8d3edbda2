// A finished scan's packed verdicts: every kind of verdict unpacks to the same one, and a
// record's events and JSON views read the same before and after it ends (and is packed).
#include "scan/compact_verdicts.hpp"
#include "common/json_text.hpp"
#include "probe/result_json.hpp"
#include "scan/kept_bytes.hpp"
#include "scan/scan_events.hpp"
#include "scan/scan_record.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace breakwater::scan {
namespace {

using namespace std::chrono_literals;

probe::port_result tcp(std::uint16_t port, probe::port_state state, probe::reason why,
                       unsigned tries, std::optional<probe::duration> rtt) {
  probe::port_result p;
  p.port = port;
  p.state = state;
  p.why = why;
  p.tries = tries;
  p.rtt = rtt;
  return p;
}

// One of each: what packs and what is kept apart.
std::vector<probe::port_result> every_kind() {
  using probe::port_state, probe::reason;
  std::vector<probe::port_result> v;
  v.push_back(tcp(22, port_state::open, reason::syn_ack, 1, 1234567ns));
  v.push_back(tcp(23, port_state::closed, reason::rst, 2, 40ms));
  v.push_back(tcp(0, port_state::stealth, reason::no_response, 2, std::nullopt));
  v.push_back(tcp(65535, port_state::stealth, reason::no_response, 3, std::nullopt));
  auto rechecked = tcp(25, port_state::closed, reason::rst, 5, 1ns);
  rechecked.rate_limit = probe::recheck::rechecked;
  v.push_back(rechecked);
  auto unresolved = tcp(26, port_state::stealth, reason::no_response, 4, std::nullopt);
  unresolved.rate_limit = probe::recheck::unresolved;
  v.push_back(unresolved);
  v.push_back(tcp(27, port_state::open, reason::syn_ack, 1, 0ns));
  // Apart: an RTT past what 32 bits of nanoseconds hold, 255 tries or more, ICMP details.
  v.push_back(tcp(28, port_state::open, reason::syn_ack, 1, 5s));
  v.push_back(tcp(29, port_state::stealth, reason::no_response, 300, std::nullopt));
  auto icmp = tcp(139, port_state::closed, reason::icmp_unreachable, 1, 3ms);
  icmp.icmp = probe::icmp_info{3, 13, boost::asio::ip::make_address("198.18.9.1")};
  v.push_back(icmp);
  // Packed with its type and code: an ICMP error the target sent itself.
  auto refused = tcp(140, port_state::closed, reason::icmp_unreachable, 2, 3ms);
  refused.icmp = probe::icmp_info{3, 3, {}};
  v.push_back(refused);
  // UDP: silent, filtered and answered.
  auto silent = tcp(53, port_state::stealth, reason::no_response, 2, std::nullopt);
  silent.proto = probe::transport::udp;
  v.push_back(silent);
  auto filtered = tcp(161, port_state::filtered, reason::icmp_unreachable, 1, 2ms);
  filtered.proto = probe::transport::udp;
  filtered.icmp = probe::icmp_info{3, 10, {}};
  v.push_back(filtered);
  auto answered = tcp(123, port_state::open, reason::udp_answer, 1, 8ms);
  answered.proto = probe::transport::udp;
  answered.udp =
      probe::udp_answer{"NTP", 48, 468, 1, std::string(200, 'n'), "an NTP server", "ntp-monlist"};
  v.push_back(answered);
  // The same port decided again later (the last word counts in the sorted views).
  v.push_back(tcp(23, port_state::closed, reason::rst, 3, 41ms));
  return v;
}

std::string json(const probe::port_result& p, bool v6 = false) {
  return common::json_text(probe::port_to_json(p, v6));
}

TEST(compact_verdicts, every_kind_of_verdict_unpacks_to_the_same_json) {
  std::vector<probe::port_result> all = every_kind();
  compact_verdicts c(all, all.size());
  ASSERT_EQ(c.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(json(c[i]), json(all[i])) << i;
    EXPECT_EQ(json(c[i], true), json(all[i], true)) << i;
    EXPECT_EQ(c[i].rtt, all[i].rtt) << i;
    EXPECT_EQ(c[i].tries, all[i].tries) << i;
  }
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(c[i].icmp, all[i].icmp) << i;
  // Apart: the 5 s RTT, 300 tries, the router's ICMP error and the UDP answer. The target's
  // own ICMP errors (TCP 140, UDP 161) are packed.
  EXPECT_EQ(c.apart().size(), 4U);
  // Only the first n.
  EXPECT_EQ(compact_verdicts(all, 3).size(), 3U);
}

// A record of `ports` the way the service fills one.
std::shared_ptr<scan_record> running(const std::string& ports, const std::string& udp) {
  scan_order o;
  o.kind = scan_kind::custom;
  o.ports = ports;
  o.udp = udp;
  auto plan = plan_of(o);
  EXPECT_TRUE(plan);
  return new_record("compact", {"198.18.0.2", 0}, o.kind, *plan,
                    claim{"198.18.0.2", "198.18.0.2", "", false, plan->probes()}, 1800s, 0ms);
}

// Every event's data, and the view's ports and udp as JSON, as a reader gets them.
struct seen {
  std::vector<std::string> events;
  std::string ports, udp;
};

seen read(const scan_record& r) {
  seen s;
  for (std::size_t i = 0; i < r.verdict_count(); ++i) {
    scan_event e = r.event_at(i);
    EXPECT_EQ(e.sequence, i + 1);
    EXPECT_EQ(e.name, "verdict");
    s.events.push_back(e.data);
  }
  probe::scan_result res;
  verdict_order(r.take_verdicts().pack()).put_into(res);
  s.ports = probe::ports_json_text(res.ports, r.v6);
  s.udp = probe::ports_json_text(res.udp, r.v6);
  return s;
}

TEST(compact_verdicts, a_record_reads_the_same_before_and_after_it_is_packed) {
  auto r = running("0,22-29,139,65535", "53,123,161");
  for (const auto& p : every_kind()) r->add_verdict(p);
  seen before = read(*r);
  verdicts_taken reader = r->take_verdicts();  // a reader that took the list before the end
  std::size_t running_bytes = estimate_kept_bytes(*r);

  r->conclude(probe::scan_result{});
  ASSERT_NE(r->packed, nullptr);
  EXPECT_TRUE(r->decided->empty());
  seen after = read(*r);
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.ports, before.ports);
  EXPECT_EQ(after.udp, before.udp);
  EXPECT_NE(after.ports.find("\"port\":139"), std::string::npos) << after.ports;
  // The last events follow the verdicts, numbered on.
  ASSERT_EQ(r->event_count(), every_kind().size() + 1);
  EXPECT_EQ(r->event_at(every_kind().size()).name, "done");
  EXPECT_EQ(r->event_at(every_kind().size()).sequence, every_kind().size() + 1);
  // The reader's list is still whole.
  EXPECT_EQ(reader.count, every_kind().size());
  ASSERT_NE(reader.list, nullptr);
  EXPECT_EQ(reader.list->size(), every_kind().size());
  EXPECT_EQ(json((*reader.pack())[0]), before.events[0]);
  // Packed, it holds less than the list reserved for every port.
  EXPECT_LT(estimate_kept_bytes(*r), running_bytes);
}

TEST(compact_verdicts, a_finished_service_scan_is_a_small_fraction_of_a_running_one) {
  auto r = running("0-1055", "");
  std::size_t reserved = estimate_kept_bytes(*r);
  for (std::uint16_t port = 0; port <= 1055; ++port) {
    r->add_verdict(port == 22 ? tcp(port, probe::port_state::open, probe::reason::syn_ack, 1, 20ms)
                              : tcp(port, probe::port_state::stealth, probe::reason::no_response, 2,
                                    std::nullopt));
  }
  r->conclude(probe::scan_result{});
  std::size_t kept = estimate_kept_bytes(*r);
  RecordProperty("running_bytes", std::to_string(reserved));
  RecordProperty("finished_bytes", std::to_string(kept));
  std::printf("0-1055: %zu bytes running, %zu bytes finished\n", reserved, kept);
  EXPECT_GT(reserved, 1056 * sizeof(probe::port_result));
  EXPECT_LT(kept, 1056 * (8 + 4) + 4096);  // a slot and its place in the view order
}

// A firewall that refuses every port with its own ICMP error (an iptables REJECT): each
// verdict packs with its type and code, 16 bytes (and 4 of view order), not the 256 of one
// kept whole (a review found a refused full range kept 16 MB).
TEST(compact_verdicts, a_scan_refused_by_the_targets_icmp_packs_small) {
  auto r = running("0-1055", "");
  for (std::uint16_t port = 0; port <= 1055; ++port) {
    auto p = tcp(port, probe::port_state::closed, probe::reason::icmp_unreachable, 1, 2ms);
    p.icmp = probe::icmp_info{3, 3, {}};
    r->add_verdict(p);
  }
  r->conclude(probe::scan_result{});
  EXPECT_TRUE(r->packed->apart().empty());
  EXPECT_LT(estimate_kept_bytes(*r), 1056 * (16 + 4) + 4096);
  EXPECT_EQ((*r->packed)[500].icmp, (probe::icmp_info{3, 3, {}}));
  EXPECT_EQ((*r->packed)[500].tries, 1U);
}

}  // namespace
}  // namespace breakwater::scan
