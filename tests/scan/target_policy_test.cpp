// Which addresses the scan service may probe at all: never unspecified, multicast or
// broadcast; loopback and this server's own addresses only when the operator allows it.
#include "scan/target_policy.hpp"

#include "common/local_addresses.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace breakwater::scan {
namespace {

TEST(target_policy, refuses_what_is_not_a_visitor) {
  EXPECT_FALSE(check_target("198.18.0.2", false));
  EXPECT_FALSE(check_target("2001:2::2", false));
  for (const char* bad : {"0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255"}) {
    auto r = check_target(bad, true);
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 403u);
    EXPECT_EQ(r->code, "target_not_allowed");
  }
  auto lo = check_target("127.0.0.1", false);
  ASSERT_TRUE(lo);
  EXPECT_NE(lo->message.find("allow_loopback"), std::string::npos);
  EXPECT_TRUE(check_target("::1", false));
  EXPECT_TRUE(check_target("::ffff:127.0.0.1", false));
  EXPECT_FALSE(check_target("127.0.0.1", true));
  EXPECT_EQ(check_target("nonsense", true)->status, 400u);
}

// A visitor on this machine comes from one of its addresses, loopback or not: the server would
// probe itself and show its own ports to whoever asked.
TEST(target_policy, refuses_this_servers_own_addresses) {
  EXPECT_EQ(common::is_own_address("127.0.0.1"), true);
  EXPECT_EQ(common::is_own_address("::ffff:127.0.0.1"), true);
  EXPECT_EQ(common::is_own_address("nonsense"), false);
  auto mine = common::local_addresses();
  for (std::string stranger : {"198.51.100.1", "203.0.113.9"}) {
    bool listed =
        std::any_of(mine.begin(), mine.end(), [&](auto& l) { return l.address == stranger; });
    if (!listed) {
      EXPECT_EQ(common::is_own_address(stranger), false) << stranger;
    }
  }
  if (mine.empty()) GTEST_SKIP() << "no address but loopback here";
  for (const auto& l : mine) {
    EXPECT_EQ(common::is_own_address(l.address), true) << l.address;
    auto r = check_target(l.address, false);
    ASSERT_TRUE(r) << l.address;
    EXPECT_EQ(r->code, "target_not_allowed");
    EXPECT_NE(r->message.find("an address of this server"), std::string::npos) << r->message;
    EXPECT_FALSE(check_target(l.address, true)) << "allowed where loopback is";
  }
}

}  // namespace
}  // namespace breakwater::scan
