#include "app/nat_hops.hpp"

#include "app/nat_socket.hpp"
#include "common/cidr.hpp"
#include "probe/icmp_error_queue.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace breakwater::app {
namespace {

constexpr unsigned base_port = 33434;  // traceroute's: nothing listens there
constexpr std::uint8_t icmp_time_exceeded = 11, icmp_unreachable = 3;

std::string text_of(const in_addr& a) {
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &a, text.data(), text.size());
  return text.data();
}

// The ICMP answer to the probe sent to `port` (time exceeded from a router on the way, or
// unreachable from the server), waiting until the deadline.
std::optional<probe::queued_icmp_error> await_icmp(int fd, unsigned port,
                                                   std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd, 0, 0};  // POLLERR is always reported
  while (::poll(&p, 1, ms_until(deadline)) > 0) {
    while (auto e = probe::read_queued_icmp_error(fd)) {
      bool answer = e->icmp.type == icmp_time_exceeded || e->icmp.type == icmp_unreachable;
      if (e->from_network && e->port == port && answer) return e;
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
  if (!s.open() || !probe::enable_icmp_errors(s.fd(), false)) return hops;
  unsigned silent = 0;
  for (unsigned ttl = 1; ttl <= max_hops && silent < 3; ++ttl) {
    int t = static_cast<int>(ttl);
    ::setsockopt(s.fd(), IPPROTO_IP, IP_TTL, &t, sizeof t);
    unsigned port = base_port + ttl;
    if (!s.send_to(destination, port, "breakwater nat hop probe")) break;
    auto r = await_icmp(s.fd(), port, std::chrono::steady_clock::now() + wait);
    hop h{ttl, r ? r->offender.to_string() : std::string{}, r && r->icmp.type == icmp_unreachable};
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
