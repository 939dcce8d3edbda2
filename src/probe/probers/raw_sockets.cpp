#include "probe/probers/raw_sockets.hpp"

#include <linux/filter.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

error_code last_error() { return {errno, boost::system::system_category()}; }

// Only segments to our source port reach the socket; everything else the host receives
// (its own web traffic, say) is dropped in the kernel.
error_code filter_to_port(int fd, bool v6, std::uint16_t port) {
  std::array<sock_filter, 5> v4_code{{
      {BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0},  // x = IP header length
      {BPF_LD | BPF_H | BPF_IND, 0, 0, 2},   // a = TCP destination port
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, port},
      {BPF_RET | BPF_K, 0, 0, 0xffff},
      {BPF_RET | BPF_K, 0, 0, 0},
  }};
  std::array<sock_filter, 4> v6_code{{
      {BPF_LD | BPF_H | BPF_ABS, 0, 0, 2},  // the segment alone: its destination port
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, port},
      {BPF_RET | BPF_K, 0, 0, 0xffff},
      {BPF_RET | BPF_K, 0, 0, 0},
  }};
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(v6 ? v6_code.size() : v4_code.size());
  prog.filter = v6 ? v6_code.data() : v4_code.data();
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
    return last_error();
  }
  return {};
}

// Destination-unreachable messages only.
error_code filter_icmp(int fd, bool v6) {
  if (v6) {
    icmp6_filter f;
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
    if (::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f) != 0) return last_error();
    return {};
  }
  icmp_filter f{};
  f.data = ~(1u << ICMP_DEST_UNREACH);  // the bits are the types blocked
  if (::setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f) != 0) return last_error();
  return {};
}

// A burst of answers (20 scans at once) must not overflow the default buffer.
void enlarge_buffer(int fd) {
  int size = 8 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
}

error_code reserve_port(raw_family& f) {
  int af = f.v6 ? AF_INET6 : AF_INET;
  f.reservation = ::socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (f.reservation < 0) return last_error();
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (f.v6) {
    int on = 1;
    ::setsockopt(f.reservation, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    len = sizeof *a;
  }
  if (::bind(f.reservation, reinterpret_cast<sockaddr*>(&ss), len) != 0) return last_error();
  if (::getsockname(f.reservation, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return last_error();
  }
  f.port = ntohs(f.v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                      : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return {};
}

}  // namespace

error_code open_raw_family(raw_family& f) {
  error_code ec;
  int af = f.v6 ? AF_INET6 : AF_INET;
  f.tcp.open(asio::generic::raw_protocol(af, IPPROTO_TCP), ec);
  if (ec) return ec;
  int icmp = f.v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  f.icmp.open(asio::generic::raw_protocol(af, icmp), ec);
  if (ec) return ec;
  if ((ec = reserve_port(f))) return ec;
  if ((ec = filter_to_port(f.tcp.native_handle(), f.v6, f.port))) return ec;
  if ((ec = filter_icmp(f.icmp.native_handle(), f.v6))) return ec;
  enlarge_buffer(f.tcp.native_handle());
  enlarge_buffer(f.icmp.native_handle());
  return {};
}

raw_family::~raw_family() {
  if (reservation >= 0) ::close(reservation);
}

}  // namespace breakwater::probe
