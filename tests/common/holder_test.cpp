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
