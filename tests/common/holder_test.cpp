// Who a per-client limit belongs to: an IPv4 address, an IPv6 /64, and the /48 above it.
#include "common/holder.hpp"

#include <gtest/gtest.h>

namespace breakwater::common {
namespace {

TEST(holder_of, an_ipv4_address_whole_and_an_ipv6_address_by_its_64) {
  EXPECT_EQ(holder_of("198.18.1.2"), "198.18.1.2");
  EXPECT_EQ(holder_of("::ffff:198.18.1.2"), "198.18.1.2") << "mapped: the IPv4 address";
  EXPECT_EQ(holder_of("2001:2:0:1:aaaa::7"), "2001:2:0:1::/64");
  EXPECT_EQ(holder_of("2001:2:0:1:ffff:ffff:ffff:ffff"), "2001:2:0:1::/64");
  EXPECT_EQ(holder_of("2001:2:0:1:aaaa::7", 48), "2001:2::/48");
  EXPECT_EQ(holder_of("2001:db8:ffff:ffff::1", 52), "2001:db8:ffff:f000::/52");
  EXPECT_EQ(holder_of("not an address"), "not an address");
}

TEST(wide_holder_of, the_48_of_ipv6_only) {
  EXPECT_EQ(wide_holder_of("2001:db8:7:ff00::1"), "2001:db8:7::/48");
  EXPECT_EQ(wide_holder_of("2001:db8:7::1"), wide_holder_of("2001:db8:7:1::1"));
  EXPECT_NE(wide_holder_of("2001:db8:7::1"), wide_holder_of("2001:db8:8::1"));
  EXPECT_EQ(wide_holder_of("198.18.1.2"), "");
  EXPECT_EQ(wide_holder_of("::ffff:198.18.1.2"), "");
  EXPECT_EQ(wide_holder_of("nonsense"), "");
}

// A link-local peer carries its interface ("fe80::a%eth0"); each address used to be a holder
// of its own, with no /48 above it, so a neighbour could multiply every limit.
TEST(holder_of, a_zone_is_no_part_of_the_holder) {
  EXPECT_EQ(holder_of("fe80::a%eth0"), "fe80::/64");
  EXPECT_EQ(holder_of("fe80::b%eth1"), holder_of("fe80::c"));
  EXPECT_EQ(wide_holder_of("fe80::a%eth0"), "fe80::/48");
  auto h = holders_of("fe80::a%eth0");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->holder, "fe80::/64");
}

TEST(holders_of, both_tiers_as_the_two_functions_give_them) {
  for (std::string_view address :
       {"198.18.1.2", "::ffff:198.18.1.2", "2001:db8:7:ff00::1", "::1"}) {
    auto h = holders_of(address);
    ASSERT_TRUE(h) << address;
    EXPECT_EQ(h->holder, holder_of(address)) << address;
    EXPECT_EQ(h->wide, wide_holder_of(address)) << address;
  }
  EXPECT_FALSE(holders_of("nonsense")) << "text that is no address has no holders";
  EXPECT_FALSE(holders_of(""));
}

}  // namespace
}  // namespace breakwater::common
