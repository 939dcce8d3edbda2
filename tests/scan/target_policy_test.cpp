// Which addresses the scan service may probe at all: never unspecified, multicast or
// broadcast; loopback and this server's own addresses only when the operator allows it.
#include "scan/target_policy.hpp"

#include "common/local_addresses.hpp"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

#if defined(__x86_64__)
constexpr std::uint32_t this_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t this_arch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t this_arch = 0;
#endif

// Makes socket(AF_NETLINK, ...) fail with EAFNOSUPPORT in this thread (and the threads it
// starts) from now on, as a systemd unit's RestrictAddressFamilies= without AF_NETLINK does.
// Returns false where it could not.
bool deny_netlink_sockets() {
  auto stmt = [](std::uint16_t code, std::uint32_t k) { return sock_filter{code, 0, 0, k}; };
  auto jump_if = [](std::uint32_t k, std::uint8_t on_true, std::uint8_t on_false) {
    return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, on_true, on_false, k};
  };
  constexpr std::uint16_t load = BPF_LD | BPF_W | BPF_ABS;
  constexpr std::uint16_t ret = BPF_RET | BPF_K;
  sock_filter code[] = {
      stmt(load, offsetof(seccomp_data, arch)),
      jump_if(this_arch, 1, 0),
      stmt(ret, SECCOMP_RET_ALLOW),
      stmt(load, offsetof(seccomp_data, nr)),
      jump_if(SYS_socket, 1, 0),
      stmt(ret, SECCOMP_RET_ALLOW),
      stmt(load, offsetof(seccomp_data, args[0])),  // the low half: the family
      jump_if(AF_NETLINK, 0, 1),
      stmt(ret, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA)),
      stmt(ret, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

// A server that may not open netlink sockets cannot read its own addresses (getifaddrs), so
// it cannot tell a visitor's address from its own: it refuses every scan, and says why and
// what its operator must change. Run in a child process, which alone takes the filter.
TEST(target_policy, a_server_that_cannot_read_its_addresses_refuses_and_says_why) {
  if (this_arch == 0) GTEST_SKIP() << "no seccomp architecture id for this machine here";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  if (::prctl(PR_GET_SECCOMP) < 0 && errno == EINVAL) {
    GTEST_SKIP() << "this kernel has no seccomp";
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The child says on its standard error what went wrong; gtest shows it when the test fails.
  auto fail = [](const char* why) {
    std::fprintf(stderr, "%s\n", why);
    std::_Exit(1);
  };
  auto child = [&fail] {
    if (!deny_netlink_sockets()) fail("the seccomp filter could not be installed");
    if (common::is_own_address("127.0.0.1").has_value()) fail("the addresses were read after all");
    auto r = check_target("198.18.0.2", false);
    if (!r) fail("a scan was allowed though the server cannot read its addresses");
    if (r->status != 503 || r->code != "unavailable") fail("the refusal is not 503 unavailable");
    if (r->message.find("AF_NETLINK") == std::string::npos) fail("the message names no cause");
    // With loopback allowed there is nothing to tell apart, and nothing to read.
    if (check_target("198.18.0.2", true)) fail("refused though loopback is allowed");
    std::_Exit(0);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace breakwater::scan
