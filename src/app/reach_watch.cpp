// `breakwater reach --watch`: the real service keeps the port; a packet socket sees the
// test's packets arrive. Linux packet(7): AF_PACKET, SOCK_DGRAM hands over each packet from
// its IP header on, and a classic BPF filter (SO_ATTACH_FILTER) runs on those same bytes.
#include "app/nat_socket.hpp"
#include "app/reach_receiver.hpp"
#include "probe/wire/reach_packet.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace breakwater::app {
namespace {

using std::chrono::steady_clock;

class packet_watcher final : public reach_receiver {
 public:
  packet_watcher(int fd, probe::reach_transport transport, std::uint16_t port)
      : fd_(fd), transport_(transport), port_(port) {}
  packet_watcher(const packet_watcher&) = delete;
  packet_watcher& operator=(const packet_watcher&) = delete;
  ~packet_watcher() override { ::close(fd_); }

  std::optional<received_nonce> wait(std::string_view id,
                                     steady_clock::time_point deadline) override {
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, ms_until(deadline)) <= 0) return std::nullopt;
      sockaddr_ll from{};
      socklen_t len = sizeof from;
      ssize_t n =
          ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      // Only what arrives here counts, not what this machine sends (PACKET_OUTGOING).
      if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING) continue;
      auto packet = probe::reach_wire::parse_packet(
          std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
      if (!packet || packet->transport != transport_ || packet->destination_port != port_) {
        continue;
      }
      if (auto nonce = probe::find_reach_nonce(packet->payload, id)) {
        return received_nonce{*nonce, probe::reach_wire::address_text(packet->source, packet->v6)};
      }
    }
  }

 private:
  int fd_;
  probe::reach_transport transport_;
  std::uint16_t port_;
};

std::string privilege_problem(int err) {
  if (err == EPERM || err == EACCES)
    return "--watch needs root or CAP_NET_RAW to open a packet socket: run it with sudo (or "
           "give the program the capability: sudo setcap cap_net_raw+ep \"$(command -v "
           "breakwater)\"), or stop the service and use --listen";
  return fmt::format("cannot open a packet socket for --watch: {}", std::strerror(err));
}

// Drops what reached the socket before its filter was attached (any packet at all).
void drain(int fd) {
  std::array<std::uint8_t, 2048> buf{};
  while (::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT) >= 0) {
  }
}

}  // namespace

opened_receiver open_watcher(probe::reach_transport transport, std::uint16_t port) {
  using result = opened_receiver;
  int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) return result(boost::system::in_place_error, privilege_problem(errno));
  std::vector<sock_filter> code;
  for (const auto& i : probe::reach_wire::port_filter(transport, port)) {
    code.push_back({i.code, i.jt, i.jf, i.k});
  }
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    int err = errno;
    ::close(fd);
    return result(
        boost::system::in_place_error,
        fmt::format("cannot attach the packet filter for --watch: {}", std::strerror(err)));
  }
  drain(fd);
  return std::unique_ptr<reach_receiver>(std::make_unique<packet_watcher>(fd, transport, port));
}

}  // namespace breakwater::app
