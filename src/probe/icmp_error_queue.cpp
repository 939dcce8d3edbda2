#include "probe/icmp_error_queue.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace breakwater::probe {

bool enable_icmp_errors(int fd, bool v6) noexcept {
  int on = 1;
  return v6 ? ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) == 0
            : ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) == 0;
}

namespace {

// An address and port from a sockaddr of either family; unspecified for anything else.
void read_sockaddr(const void* from, std::size_t size, boost::asio::ip::address& address,
                   std::uint16_t* port) noexcept {
  namespace ip = boost::asio::ip;
  sockaddr_storage name{};
  std::memcpy(&name, from, std::min(size, sizeof name));
  if (name.ss_family == AF_INET) {
    sockaddr_in a{};
    std::memcpy(&a, &name, sizeof a);
    address = ip::address_v4(ntohl(a.sin_addr.s_addr));
    if (port != nullptr) *port = ntohs(a.sin_port);
  } else if (name.ss_family == AF_INET6) {
    sockaddr_in6 a{};
    std::memcpy(&a, &name, sizeof a);
    ip::address_v6::bytes_type b{};
    std::memcpy(b.data(), &a.sin6_addr, b.size());
    address = ip::address_v6(b);
    if (port != nullptr) *port = ntohs(a.sin6_port);
  }
}

}  // namespace

std::optional<queued_icmp_error> read_queued_icmp_error(int fd) noexcept {
  std::array<char, 512> control{};
  queued_icmp_error e;
  sockaddr_storage name{};
  iovec iov{e.quoted.data(), e.quoted.size()};
  msghdr msg{};
  msg.msg_name = &name;
  msg.msg_namelen = sizeof name;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n = ::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
  if (n < 0) return std::nullopt;
  e.quoted_size = std::min(static_cast<std::size_t>(n), e.quoted.size());
  // msg_name of an error: the quoted datagram's destination (ip(7), ipv6(7)).
  read_sockaddr(&name, msg.msg_namelen, e.destination, &e.port);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
    bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
    if (!v4 && !v6) continue;
    sock_extended_err ee{};
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
      e.icmp = icmp_info{ee.ee_type, ee.ee_code, {}};
      e.from_network = true;
      // SO_EE_OFFENDER: the sockaddr right after the extended error.
      std::size_t data = c->cmsg_len - CMSG_LEN(0);
      if (data > sizeof ee) {
        read_sockaddr(CMSG_DATA(c) + sizeof ee, data - sizeof ee, e.offender, nullptr);
      }
    }
  }
  return e;
}

std::optional<icmp_info> read_icmp_error(int fd) noexcept {
  auto e = read_queued_icmp_error(fd);
  if (!e || !e->from_network) return std::nullopt;
  return e->icmp;
}

}  // namespace breakwater::probe
