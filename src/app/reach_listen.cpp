// `breakwater reach --listen`: the port bound by this program, the real service stopped.
#include "app/nat_socket.hpp"
#include "app/reach_receiver.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace breakwater::app {
namespace {

using std::chrono::steady_clock;

// Owns a descriptor.
class fd_guard {
 public:
  explicit fd_guard(int fd = -1) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::string text_of(const sockaddr_storage& a) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (a.ss_family == AF_INET6) {
    const auto& s6 = reinterpret_cast<const sockaddr_in6&>(a);
    if (IN6_IS_ADDR_V4MAPPED(&s6.sin6_addr)) {
      ::inet_ntop(AF_INET, &s6.sin6_addr.s6_addr[12], text.data(), text.size());
    } else {
      ::inet_ntop(AF_INET6, &s6.sin6_addr, text.data(), text.size());
    }
  } else if (a.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, text.data(),
                text.size());
  }
  return text.data();
}

// A socket bound to the port on every address: IPv6 with IPv4-mapped addresses when the
// machine has IPv6, else IPv4 only. Nothing (and `err` set) when it cannot be bound.
int bind_everywhere(int type, std::uint16_t port, int& err) {
  int fd = ::socket(AF_INET6, type | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    int off = 0, on = 1;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_any;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) return fd;
    err = errno;
    ::close(fd);
    if (err != EADDRNOTAVAIL) return -1;
  }
  fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  int on = 1;
  if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) return fd;
  err = errno;
  ::close(fd);
  return -1;
}

std::string bind_problem(std::string_view transport, std::uint16_t port, int err) {
  if (err == EADDRINUSE)
    return fmt::format(
        "{} port {} is in use on this machine (the service is running): stop it for the "
        "test, or leave it running and use --watch (root or CAP_NET_RAW)",
        transport, port);
  if (err == EACCES || err == EPERM)
    return fmt::format(
        "binding {} port {} needs privilege (ports below 1024): run with sudo, or use --watch",
        transport, port);
  return fmt::format("cannot bind {} port {}: {}", transport, port, std::strerror(err));
}

class udp_listener final : public reach_receiver {
 public:
  explicit udp_listener(int fd) : fd_(fd) {}

  std::optional<received_nonce> wait(std::string_view id,
                                     steady_clock::time_point deadline) override {
    std::array<std::uint8_t, 2048> buf{};
    for (;;) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, ms_until(deadline)) <= 0) return std::nullopt;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_.get(), buf.data(), buf.size(), 0,
                             reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) continue;
      auto nonce = probe::find_reach_nonce(
          std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)), id);
      if (nonce) return received_nonce{*nonce, text_of(from)};
    }
  }

 private:
  fd_guard fd_;
};

// Reads one accepted connection until the message's line is in, the peer closes, a few
// hundred bytes came, or the deadline.
std::string read_line(int fd, steady_clock::time_point deadline) {
  std::string text;
  std::array<char, 512> buf{};
  while (text.size() < 1024 && text.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms_until(deadline)) <= 0) break;
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
  return text;
}

class tcp_listener final : public reach_receiver {
 public:
  explicit tcp_listener(int fd) : fd_(fd) {}

  std::optional<received_nonce> wait(std::string_view id,
                                     steady_clock::time_point deadline) override {
    for (;;) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, ms_until(deadline)) <= 0) return std::nullopt;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      fd_guard conn(::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC));
      if (conn.get() < 0) continue;
      // One connection may not hold the listener long: a few seconds, within the deadline.
      auto until = std::min(deadline, steady_clock::now() + std::chrono::seconds(3));
      if (auto nonce = probe::find_reach_nonce(read_line(conn.get(), until), id)) {
        return received_nonce{*nonce, text_of(from)};
      }
    }
  }

 private:
  fd_guard fd_;
};

}  // namespace

opened_receiver open_listener(probe::reach_transport transport, std::uint16_t port) {
  using result = opened_receiver;
  bool udp = transport == probe::reach_transport::udp;
  int err = 0;
  int fd = bind_everywhere(udp ? SOCK_DGRAM : SOCK_STREAM, port, err);
  if (fd < 0)
    return result(boost::system::in_place_error, bind_problem(udp ? "UDP" : "TCP", port, err));
  if (udp) return std::unique_ptr<reach_receiver>(std::make_unique<udp_listener>(fd));
  if (::listen(fd, 16) != 0) {
    err = errno;
    ::close(fd);
    return result(boost::system::in_place_error, bind_problem("TCP", port, err));
  }
  return std::unique_ptr<reach_receiver>(std::make_unique<tcp_listener>(fd));
}

}  // namespace breakwater::app
