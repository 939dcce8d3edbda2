// A blocking IPv4 UDP socket for the few datagrams `breakwater nat` exchanges with the
// gateway (SSDP, NAT-PMP) and the hop probes: closes itself, waits with a deadline.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::app {

struct datagram {
  std::string from;  // the sender's address
  std::string data;
};

class udp_socket {
 public:
  udp_socket() = default;
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;
  ~udp_socket();

  bool open();
  int fd() const noexcept { return fd_; }
  bool send_to(const std::string& address, unsigned port, std::string_view data);
  // The next datagram before the deadline, or empty when none came.
  std::optional<datagram> receive_until(std::chrono::steady_clock::time_point deadline);

 private:
  int fd_ = -1;
};

// Milliseconds left until the deadline, for poll(); 0 once it has passed.
int ms_until(std::chrono::steady_clock::time_point deadline);

// The IPv4 address "a.b.c.d" as a sockaddr_in (port in host order); false when not IPv4.
bool ipv4_sockaddr(const std::string& address, unsigned port, void* sockaddr_in_out);

}  // namespace breakwater::app
