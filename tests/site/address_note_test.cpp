#include "site/address_note.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

bool has(const std::optional<std::string>& s, std::string_view part) {
  return s && s->find(part) != std::string::npos;
}

TEST(address_note, internet_addresses_need_none) {
  for (const char* a : {"198.51.100.7", "8.8.8.8", "2001:db8::1", "100.128.0.1", "172.32.0.1"}) {
    EXPECT_EQ(address_note(a), std::nullopt) << a;
    EXPECT_EQ(scope_name(a), "global") << a;
  }
}

TEST(address_note, carrier_grade_nat_space_says_the_server_is_inside_the_provider) {
  for (const char* a : {"100.64.0.1", "100.127.255.254", "::ffff:100.64.1.2"}) {
    EXPECT_TRUE(has(address_note(a), "carrier-grade NAT")) << a;
    EXPECT_EQ(scope_name(a), "shared") << a;
  }
}

TEST(address_note, private_link_local_and_loopback_are_named) {
  for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.1", "192.168.1.1", "fd00::1"}) {
    EXPECT_TRUE(has(address_note(a), "private address")) << a;
    EXPECT_EQ(scope_name(a), "private") << a;
  }
  EXPECT_TRUE(has(address_note("169.254.1.1"), "link-local"));
  EXPECT_TRUE(has(address_note("fe80::1"), "link-local"));
  EXPECT_TRUE(has(address_note("fe80::1%eth0"), "link-local")) << "a peer's zone is no part of it";
  EXPECT_EQ(scope_name("fe80::1%eth0"), scope_name("fe80::1"));
  EXPECT_TRUE(has(address_note("127.0.0.1"), "loopback"));
  EXPECT_TRUE(has(address_note("::1"), "loopback"));
  EXPECT_EQ(scope_name("not an address"), "unknown");
  EXPECT_EQ(address_note("not an address"), std::nullopt);
}

}  // namespace
}  // namespace breakwater::site
