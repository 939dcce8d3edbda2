#include "app/nat_hops.hpp"

#include "app/nat_socket.hpp"
#include "common/cidr.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace breakwater::app {
namespace {

constexpr unsigned base_port = 33434;  // traceroute's: nothing listens there
constexpr std::uint8_t icmp_time_exceeded = 11, icmp_unreachable = 3;

struct icmp_report {
  std::uint8_t type = 0;
  std::string offender;  // the router (or host) that sent the ICMP error
  unsigned port = 0;     // the quoted datagram's destination port: which probe it was
};

std::string text_of(const in_addr& a) {
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &a, text.data(), text.size());
  return text.data();
}

// The next ICMP error queued on the socket (ip(7): IP_RECVERR, SO_EE_OFFENDER).
std::optional<icmp_report> read_icmp(int fd) {
  std::array<char, 512> control{};
  std::array<char, 64> payload{};
  sockaddr_in name{};
  iovec iov{payload.data(), payload.size()};
  msghdr msg{};
  msg.msg_name = &name;
  msg.msg_namelen = sizeof name;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  if (::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return std::nullopt;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
    sock_extended_err ee{};
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    if (ee.ee_origin != SO_EE_ORIGIN_ICMP) return icmp_report{};
    sockaddr_in offender{};
    std::memcpy(&offender, CMSG_DATA(c) + sizeof ee, sizeof offender);
    return icmp_report{ee.ee_type, text_of(offender.sin_addr), ntohs(name.sin_port)};
  }
  return icmp_report{};
}

// The ICMP answer to the probe sent to `port`, waiting until the deadline.
std::optional<icmp_report> await_icmp(int fd, unsigned port,
                                      std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd, 0, 0};  // POLLERR is always reported
  while (::poll(&p, 1, ms_until(deadline)) > 0) {
    while (auto r = read_icmp(fd)) {
      if (r->port == port && (r->type == icmp_time_exceeded || r->type == icmp_unreachable))
        return r;
    }
    std::array<char, 64> drain{};  // an answer from the server itself: not expected
    ::recv(fd, drain.data(), drain.size(), MSG_DONTWAIT);
  }
  return std::nullopt;
}

bool is_global(const std::string& address) {
  auto ip = common::parse_ip(address);
  return ip && common::scope_of(*ip) == common::address_scope::global;
}

}  // namespace

std::vector<hop> trace_first_hops(const std::string& destination, unsigned max_hops,
                                  std::chrono::milliseconds wait) {
  std::vector<hop> hops;
  udp_socket s;
  int on = 1;
  if (!s.open() || ::setsockopt(s.fd(), IPPROTO_IP, IP_RECVERR, &on, sizeof on) != 0) return hops;
  unsigned silent = 0;
  for (unsigned ttl = 1; ttl <= max_hops && silent < 3; ++ttl) {
    int t = static_cast<int>(ttl);
    ::setsockopt(s.fd(), IPPROTO_IP, IP_TTL, &t, sizeof t);
    unsigned port = base_port + ttl;
    if (!s.send_to(destination, port, "breakwater nat hop probe")) break;
    auto r = await_icmp(s.fd(), port, std::chrono::steady_clock::now() + wait);
    hop h{ttl, r ? r->offender : std::string{}, r && r->type == icmp_unreachable};
    hops.push_back(h);
    silent = h.address.empty() ? silent + 1 : 0;
    if (h.destination || (ttl > 1 && is_global(h.address))) break;
  }
  return hops;
}

std::string local_address_toward(const std::string& destination) {
  udp_socket s;
  sockaddr_in to{};
  if (!s.open() || !ipv4_sockaddr(destination, base_port, &to)) return {};
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) return {};
  sockaddr_in me{};
  socklen_t len = sizeof me;
  if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&me), &len) != 0) return {};
  return text_of(me.sin_addr);
}

hairpin_result try_hairpin(const std::string& address, std::uint16_t port,
                           std::chrono::milliseconds timeout) {
  hairpin_result r{hairpin_state::fails, address, port, {}};
  sockaddr_in to{};
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || !ipv4_sockaddr(address, port, &to)) {
    if (fd >= 0) ::close(fd);
    r.detail = "could not make a socket";
    return r;
  }
  int err = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    err = errno;
    pollfd p{fd, POLLOUT, 0};
    if (err == EINPROGRESS) {
      err = ::poll(&p, 1, static_cast<int>(timeout.count())) > 0 ? 0 : ETIMEDOUT;
      socklen_t len = sizeof err;
      if (err == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
  }
  ::close(fd);
  if (err == 0) {
    r.state = hairpin_state::works;
  } else if (err == ECONNREFUSED) {
    r.detail =
        "the connection was refused: the router answered for itself instead of looping "
        "it back to the forwarded host (no hairpin NAT), or nothing listens there";
  } else if (err == ETIMEDOUT) {
    r.detail = fmt::format(
        "no answer within {} ms: the router drops connections from inside "
        "to its public address (no hairpin NAT)",
        timeout.count());
  } else {
    r.detail = fmt::format("the connection failed: {}", std::system_category().message(err));
  }
  return r;
}

}  // namespace breakwater::app
