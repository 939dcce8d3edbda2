// The scan plan: what each kind probes, its pace, its pool and why an order is refused.
#include "scan/plan.hpp"
#include "scan/scan_view.hpp"

#include <gtest/gtest.h>

namespace breakwater::scan {
namespace {

scan_order order_of(scan_kind kind, std::string ports = {}) {
  scan_order o;
  o.kind = kind;
  o.ports = std::move(ports);
  return o;
}

TEST(plan, named_kinds_probe_their_set) {
  auto service = plan_of(order_of(scan_kind::service));
  ASSERT_TRUE(service);
  EXPECT_EQ(service->ports, *probe::parse_port_set("0-1055"));
  EXPECT_EQ(service->set_name, "service");
  EXPECT_FALSE(service->check);
  auto full = plan_of(order_of(scan_kind::full));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->ports.size(), 65536u);
  EXPECT_EQ(full->pace, scan_pace::full_range);
}

TEST(plan, the_pace_follows_the_size_not_the_kind) {
  auto at_limit = plan_of(order_of(scan_kind::custom, "1-4096"));
  auto over = plan_of(order_of(scan_kind::custom, "1-4097"));
  ASSERT_TRUE(at_limit && over);
  EXPECT_EQ(at_limit->pace, scan_pace::visitor);
  EXPECT_EQ(over->pace, scan_pace::full_range);
  settings s;
  EXPECT_EQ(rate_of(over->pace, s), static_cast<double>(s.full_range_rate));
}

TEST(plan, ping_and_upnp_tests_have_no_ports_and_one_probe) {
  auto ping = plan_of(order_of(scan_kind::ping));
  ASSERT_TRUE(ping);
  EXPECT_TRUE(ping->ports.empty());
  EXPECT_TRUE(ping->ping);
  EXPECT_FALSE(ping->upnp);
  EXPECT_EQ(ping->probes(), 1u);
  EXPECT_FALSE(takes_extras(scan_kind::ping));
  EXPECT_FALSE(takes_extras(scan_kind::single));
  EXPECT_TRUE(takes_extras(scan_kind::common));
}

TEST(plan, typed_orders_are_refused_with_their_problem) {
  auto none = plan_of(order_of(scan_kind::custom));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().problem, plan_problem::no_ports);
  EXPECT_EQ(none.error().said.code, "bad_ports");
  auto two = plan_of(order_of(scan_kind::single, "22,23"));
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().problem, plan_problem::not_one_port);
  auto bad = plan_of(order_of(scan_kind::custom, "80-70"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().problem, plan_problem::bad_spec);
  auto one = plan_of(order_of(scan_kind::single, "443"));
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->check);
}

TEST(plan, the_udp_test_probes_udp_common_and_every_udp_port_costs_a_probe) {
  auto udp = plan_of(order_of(scan_kind::udp));
  ASSERT_TRUE(udp);
  EXPECT_TRUE(udp->ports.empty());
  EXPECT_EQ(udp->udp_ports, *probe::parse_port_set("udp-common"));
  EXPECT_EQ(udp->probes(), udp->udp_ports.size());
  EXPECT_FALSE(takes_extras(scan_kind::udp));

  scan_order both = order_of(scan_kind::common);
  both.udp = "53,123";
  both.ping = true;
  auto plan = plan_of(both);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->udp_ports.size(), 2u);
  EXPECT_EQ(plan->probes(), plan->ports.size() + 2 + 1);

  scan_order bad = order_of(scan_kind::custom, "80");
  bad.udp = "53-";
  auto refused = plan_of(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().said.code, "bad_ports");
  EXPECT_NE(refused.error().said.message.find("UDP ports"), std::string::npos);

  scan_order only_udp = order_of(scan_kind::custom);
  only_udp.udp = "51820";
  auto custom = plan_of(only_udp);
  ASSERT_TRUE(custom) << custom.error().said.message;
  EXPECT_TRUE(custom->ports.empty());
  EXPECT_EQ(custom->udp_ports.size(), 1u);

  // A UDP spec can make a port-set test large enough to be paced as a full range.
  scan_order wide = order_of(scan_kind::common);
  wide.udp = "1-5000";
  EXPECT_EQ(plan_of(wide)->pace, scan_pace::full_range);
}

TEST(plan, a_single_check_is_one_port_for_tcp_udp_or_both) {
  scan_order udp_only = order_of(scan_kind::single);
  udp_only.udp = "51820";
  auto a = plan_of(udp_only);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->check);
  EXPECT_TRUE(a->ports.empty());
  EXPECT_EQ(a->udp_ports.size(), 1u);
  scan_order both = order_of(scan_kind::single, "53");
  both.udp = "53";
  auto b = plan_of(both);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->probes(), 2u);
  scan_order two = order_of(scan_kind::single, "53");
  two.udp = "54";
  EXPECT_EQ(plan_of(two).error().problem, plan_problem::not_one_port);
  scan_order many = order_of(scan_kind::single);
  many.udp = "53,54";
  EXPECT_EQ(plan_of(many).error().problem, plan_problem::not_one_port);
}

// A field the kind has no use for is refused with what to do, never dropped: the visitor
// would get another test than the one asked for.
TEST(plan, what_a_kind_does_not_use_is_refused_not_dropped) {
  for (scan_kind k : {scan_kind::ping, scan_kind::upnp, scan_kind::udp}) {
    scan_order o = order_of(k);
    o.udp = "53";
    auto p = plan_of(o);
    ASSERT_FALSE(p) << to_string(k);
    EXPECT_EQ(p.error().said.status, 400u);
    EXPECT_NE(p.error().said.message.find("leave \"udp\" out"), std::string::npos)
        << p.error().said.message;
  }
  for (scan_kind k : {scan_kind::common, scan_kind::service, scan_kind::ping, scan_kind::udp}) {
    auto p = plan_of(order_of(k, "22"));
    ASSERT_FALSE(p) << to_string(k);
    EXPECT_NE(p.error().said.message.find("\"custom\""), std::string::npos)
        << p.error().said.message;
  }
  // Saying the same thing twice is no contradiction.
  EXPECT_TRUE(plan_of(order_of(scan_kind::service, "0-1055")));
  EXPECT_TRUE(plan_of(order_of(scan_kind::common, "common")));
  scan_order udp_test = order_of(scan_kind::udp);
  udp_test.udp = "udp-common";
  EXPECT_TRUE(plan_of(udp_test));
  // UDP ports go with the kinds that take extras.
  scan_order with_udp = order_of(scan_kind::common);
  with_udp.udp = "53";
  EXPECT_TRUE(plan_of(with_udp));
}

// Ping and UPnP go with the kinds that take extras; a test of its own, or a single-port
// check, refuses them (it used to run them anyway).
TEST(plan, ping_and_upnp_are_refused_where_the_kind_takes_no_extras) {
  for (scan_kind k : {scan_kind::single, scan_kind::udp, scan_kind::ping, scan_kind::upnp}) {
    scan_order o = order_of(k, k == scan_kind::single ? "443" : "");
    (k == scan_kind::ping ? o.upnp : o.ping) = true;
    auto p = plan_of(o);
    ASSERT_FALSE(p) << to_string(k);
    EXPECT_EQ(p.error().said.code, "bad_ports");
    EXPECT_NE(p.error().said.message.find("leave \"ping\" and \"upnp\" out"), std::string::npos)
        << p.error().said.message;
  }
  scan_order ping = order_of(scan_kind::ping);
  ping.ping = true;  // as the scan form sends it: the test's own flag
  EXPECT_TRUE(plan_of(ping));
  scan_order common = order_of(scan_kind::common);
  common.ping = common.upnp = true;
  EXPECT_TRUE(plan_of(common));
}

// Linux will not send a datagram to port 0: a scan asking for it is refused up front (it used
// to fail the whole scan, TCP ports too, at the first send).
TEST(plan, udp_port_0_is_refused_with_what_to_ask_instead) {
  for (std::string spec : {"0", "0-100", "all"}) {
    scan_order o = order_of(scan_kind::custom, "22");
    o.udp = spec;
    auto p = plan_of(o);
    ASSERT_FALSE(p) << spec;
    EXPECT_NE(p.error().said.message.find("UDP port 0 cannot be probed"), std::string::npos);
    EXPECT_NE(p.error().said.message.find("1-65535"), std::string::npos);
  }
  scan_order o = order_of(scan_kind::custom, "0");
  o.udp = "1-65535";
  EXPECT_TRUE(plan_of(o)) << "TCP port 0 can be probed";
}

TEST(plan, a_spec_names_a_kind_only_when_it_is_a_whole_set) {
  EXPECT_EQ(kind_named("0-1055"), scan_kind::service);
  EXPECT_EQ(kind_named("all"), scan_kind::full);
  EXPECT_EQ(kind_named("file-sharing"), scan_kind::file_sharing);
  EXPECT_FALSE(kind_named("0-1054"));
  EXPECT_EQ(set_name(scan_kind::custom), "");
}

}  // namespace
}  // namespace breakwater::scan
