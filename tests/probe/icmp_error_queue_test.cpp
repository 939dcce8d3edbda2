// The ICMP error-queue reader on loopback (127.0.0.1 only): a datagram to a port nobody has
// bound draws the kernel's port unreachable, read back with the port, the destination, the
// offender and the quoted payload; an empty queue reads as nothing.
#include "probe/icmp_error_queue.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

namespace breakwater::probe {
namespace {

// A UDP socket on 127.0.0.1, closed at the end of the test.
struct loopback_socket {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~loopback_socket() {
    if (fd >= 0) ::close(fd);
  }
  std::uint16_t bind_any() const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return 0;
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }
  bool send_to(std::uint16_t port, std::string_view text) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&a),
                    sizeof a) == static_cast<ssize_t>(text.size());
  }
};

// A port on 127.0.0.1 that nothing has bound: bound once, then let go.
std::uint16_t unbound_port() {
  loopback_socket s;
  return s.bind_any();
}

TEST(icmp_error_queue, port_unreachable_reads_back_with_port_offender_and_payload) {
  loopback_socket s;
  ASSERT_GE(s.fd, 0);
  ASSERT_TRUE(enable_icmp_errors(s.fd, false));
  EXPECT_FALSE(read_queued_icmp_error(s.fd));  // nothing queued yet
  std::uint16_t port = unbound_port();
  ASSERT_NE(port, 0);
  ASSERT_TRUE(s.send_to(port, "hello"));
  pollfd p{s.fd, 0, 0};  // POLLERR is always reported
  ASSERT_GT(::poll(&p, 1, 2000), 0);
  auto e = read_queued_icmp_error(s.fd);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->from_network);
  EXPECT_EQ(e->icmp.type, 3);  // destination unreachable
  EXPECT_EQ(e->icmp.code, 3);  // port unreachable
  EXPECT_TRUE(is_destination_unreachable(e->icmp, false));
  EXPECT_EQ(e->port, port);
  EXPECT_EQ(e->destination.to_string(), "127.0.0.1");
  EXPECT_EQ(e->offender.to_string(), "127.0.0.1");
  auto quoted = e->quoted_bytes();
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(quoted.data()), quoted.size()), "hello");
  EXPECT_FALSE(read_queued_icmp_error(s.fd));  // taken: the queue is empty again
}

TEST(icmp_error_queue, read_icmp_error_gives_the_type_and_code) {
  loopback_socket s;
  ASSERT_TRUE(enable_icmp_errors(s.fd, false));
  EXPECT_FALSE(read_icmp_error(s.fd));
  std::uint16_t port = unbound_port();
  ASSERT_TRUE(s.send_to(port, "x"));
  pollfd p{s.fd, 0, 0};
  ASSERT_GT(::poll(&p, 1, 2000), 0);
  auto i = read_icmp_error(s.fd);
  ASSERT_TRUE(i);
  EXPECT_EQ(*i, (icmp_info{3, 3, {}}));
}

}  // namespace
}  // namespace breakwater::probe
