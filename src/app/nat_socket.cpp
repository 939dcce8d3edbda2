#include "app/nat_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace breakwater::app {

int ms_until(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool ipv4_sockaddr(const std::string& address, unsigned port, void* out) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) return false;
  std::memcpy(out, &a, sizeof a);
  return true;
}

udp_socket::~udp_socket() {
  if (fd_ >= 0) ::close(fd_);
}

bool udp_socket::open() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  return fd_ >= 0;
}

bool udp_socket::send_to(const std::string& address, unsigned port, std::string_view data) {
  sockaddr_in a{};
  if (!ipv4_sockaddr(address, port, &a)) return false;
  return ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&a),
                  sizeof a) == static_cast<ssize_t>(data.size());
}

std::optional<datagram> udp_socket::receive_until(std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd_, POLLIN, 0};
  while (::poll(&p, 1, ms_until(deadline)) > 0) {
    if ((p.revents & POLLIN) == 0) return std::nullopt;  // an error, not a datagram: give up
    std::array<char, 8192> buf{};
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT,
                           reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) continue;  // gone between poll and read: wait on
    std::array<char, INET_ADDRSTRLEN> text{};
    ::inet_ntop(AF_INET, &from.sin_addr, text.data(), text.size());
    return datagram{text.data(), std::string(buf.data(), static_cast<std::size_t>(n))};
  }
  return std::nullopt;
}

}  // namespace breakwater::app
