// A scan's verdicts in view order, read in place: ascending ports, TCP then UDP, the later of
// two verdicts for one port, summaries of what is shown, and the same from a running list and
// from packed verdicts.
#include "scan/verdict_order.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace breakwater::scan {
namespace {

using probe::port_state;

probe::port_result verdict(std::uint16_t port, port_state state, unsigned tries,
                           probe::transport t = probe::transport::tcp) {
  probe::port_result p;
  p.port = port;
  p.state = state;
  p.tries = tries;
  p.proto = t;
  p.why = state == port_state::closed ? probe::reason::rst
          : state == port_state::open ? probe::reason::syn_ack
                                      : probe::reason::no_response;
  return p;
}

// Decision order: out of port order, UDP between TCP, port 23 decided twice (first closed,
// then stealth after a re-check), UDP 23 beside TCP 23.
std::shared_ptr<verdict_list> decided() {
  auto v = std::make_shared<verdict_list>();
  v->push_back(verdict(443, port_state::open, 1));
  v->push_back(verdict(23, port_state::closed, 1));
  v->push_back(verdict(53, port_state::open, 1, probe::transport::udp));
  v->push_back(verdict(0, port_state::stealth, 2));
  v->push_back(verdict(23, port_state::open, 1, probe::transport::udp));
  v->push_back(verdict(65535, port_state::stealth, 3));
  v->push_back(verdict(23, port_state::stealth, 4));
  return v;
}

void expect_view_order(const verdict_order& o) {
  ASSERT_EQ(o.size(), 6U);
  ASSERT_EQ(o.tcp_count(), 4U);
  EXPECT_EQ(o.udp_count(), 2U);
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < o.size(); ++i) ports.push_back(o[i].port);
  EXPECT_EQ(ports, (std::vector<std::uint16_t>{0, 23, 443, 65535, 23, 53}));
  EXPECT_EQ(o[1].state, port_state::stealth) << "the later verdict of TCP 23";
  EXPECT_EQ(o[1].tries, 4U);
  EXPECT_EQ(o[4].proto, probe::transport::udp);
  probe::scan_summary t = o.tcp_summary();
  EXPECT_EQ(t.open, 1U);
  EXPECT_EQ(t.closed, 0U) << "the closed verdict was revised";
  EXPECT_EQ(t.stealth, 3U);
  EXPECT_EQ(o.udp_summary().open, 2U);
}

TEST(verdict_order, a_running_list_reads_in_port_order_with_the_last_word_on_each_port) {
  auto list = decided();
  expect_view_order(verdict_order(verdicts_taken{list, nullptr, list->size()}.pack()));
}

TEST(verdict_order, packed_verdicts_read_the_same) {
  auto list = decided();
  auto packed = std::make_shared<const compact_verdicts>(*list, list->size());
  EXPECT_EQ(verdicts_taken({nullptr, packed, packed->size()}).pack(), packed) << "not again";
  expect_view_order(verdict_order(packed));
}

TEST(verdict_order, only_the_count_taken_is_read) {
  // A running scan's list grows after a reader took it: the reader sees its first `count`.
  auto list = decided();
  verdict_order o(verdicts_taken{list, nullptr, 2}.pack());
  ASSERT_EQ(o.size(), 2U);
  EXPECT_EQ(o[0].port, 23U);
  EXPECT_EQ(o[0].state, port_state::closed);
  EXPECT_EQ(o[1].port, 443U);
}

TEST(verdict_order, put_into_splits_tcp_and_udp) {
  auto list = decided();
  probe::scan_result r;
  r.ports.push_back(verdict(1, port_state::open, 1));  // replaced, not appended to
  verdict_order(verdicts_taken{list, nullptr, list->size()}.pack()).put_into(r);
  ASSERT_EQ(r.ports.size(), 4U);
  ASSERT_EQ(r.udp.size(), 2U);
  EXPECT_EQ(r.ports.front().port, 0U);
  EXPECT_EQ(r.udp.back().port, 53U);
  EXPECT_EQ(r.summary().stealth, 3U);
}

TEST(verdict_order, nothing_taken_is_empty) {
  verdict_order o;
  EXPECT_EQ(o.size(), 0U);
  verdict_order none(std::make_shared<const compact_verdicts>(verdict_list{}, 0));
  EXPECT_EQ(none.size(), 0U);
  EXPECT_EQ(none.tcp_summary().stealth, 0U);
}

// A full range and then some: 65,536 TCP ports and 65,536 UDP ports, each decided twice.
TEST(verdict_order, two_full_ranges_decided_twice_keep_one_verdict_a_port) {
  auto list = std::make_shared<verdict_list>();
  for (int round = 0; round < 2; ++round) {
    for (unsigned port = 65536; port-- > 0;) {
      auto state = round == 0 ? port_state::closed : port_state::stealth;
      list->push_back(verdict(static_cast<std::uint16_t>(port), state, 1));
      list->push_back(verdict(static_cast<std::uint16_t>(port), state, 1, probe::transport::udp));
    }
  }
  verdict_order o(verdicts_taken{list, nullptr, list->size()}.pack());
  ASSERT_EQ(o.size(), 131072U);
  EXPECT_EQ(o.tcp_count(), 65536U);
  EXPECT_EQ(o[65535].port, 65535U);
  EXPECT_EQ(o[65536].port, 0U);
  EXPECT_EQ(o.tcp_summary().stealth, 65536U);
  EXPECT_EQ(o.udp_summary().stealth, 65536U);
}

}  // namespace
}  // namespace breakwater::scan
