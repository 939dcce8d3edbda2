// The scan plan: what each kind probes, its pace, its pool and why an order is refused.
#include "scan/plan.hpp"

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

TEST(plan, a_spec_names_a_kind_only_when_it_is_a_whole_set) {
  EXPECT_EQ(kind_named("0-1055"), scan_kind::service);
  EXPECT_EQ(kind_named("all"), scan_kind::full);
  EXPECT_EQ(kind_named("file-sharing"), scan_kind::file_sharing);
  EXPECT_FALSE(kind_named("0-1054"));
  EXPECT_EQ(set_name(scan_kind::custom), "");
}

}  // namespace
}  // namespace breakwater::scan
