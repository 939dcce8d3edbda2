// The default gateways read from /proc/net/route and /proc/net/ipv6_route text.
#include "app/nat_route.hpp"

#include <gtest/gtest.h>

namespace breakwater::app {
namespace {

TEST(NatRoute, TheIpv4DefaultRouteWithTheLowestMetric) {
  // The words are the kernel's raw 32-bit values: on this (little-endian) test host 0101A8C0
  // is 192.168.1.1.
  auto gw = parse_ipv4_default_route(
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "wlan0\t00000000\t0100000A\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
      "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
      "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n");
  ASSERT_TRUE(gw);
  EXPECT_EQ(gw->address, "192.168.1.1");
  EXPECT_EQ(gw->interface, "eth0");
  EXPECT_EQ(gw->metric, 100u);
}

TEST(NatRoute, NoIpv4DefaultRoute) {
  EXPECT_FALSE(parse_ipv4_default_route(""));
  EXPECT_FALSE(parse_ipv4_default_route(
      "Iface\tDestination\tGateway\n"
      "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth0\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"));  // not up
}

TEST(NatRoute, TheIpv6DefaultRouteSkipsRejectRoutes) {
  auto gw = parse_ipv6_default_route(
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
      "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n");
  ASSERT_TRUE(gw);
  EXPECT_EQ(gw->address, "fe80::1");
  EXPECT_EQ(gw->interface, "eth0");
  EXPECT_FALSE(parse_ipv6_default_route("garbage line\n"));
}

}  // namespace
}  // namespace breakwater::app
