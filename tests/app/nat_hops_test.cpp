// `breakwater nat`'s hop probes on loopback (127.0.0.1 only): the first probe reaches the
// destination itself, whose port unreachable ends the trace at hop 1.
#include "app/nat_hops.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace breakwater::app {
namespace {

using namespace std::chrono_literals;

// Whether UDP port `port` of 127.0.0.1 is free (nothing would answer the probe instead).
bool free_udp_port(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return free;
}

TEST(nat_hops, the_destination_answers_the_first_probe_and_ends_the_trace) {
  if (!free_udp_port(33435)) GTEST_SKIP() << "UDP 33435 on 127.0.0.1 is in use";
  std::vector<hop> hops = trace_first_hops("127.0.0.1", 5, 2s);
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(hops[0].ttl, 1u);
  EXPECT_EQ(hops[0].address, "127.0.0.1");
  EXPECT_TRUE(hops[0].destination);
}

TEST(nat_hops, the_local_address_toward_loopback_is_loopback) {
  EXPECT_EQ(local_address_toward("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(local_address_toward("not an address"), "");
}

}  // namespace
}  // namespace breakwater::app
