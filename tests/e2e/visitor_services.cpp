// The visitor's services on the test bed: TCP listeners that accept and close (open ports) and,
// on request, a small SSDP responder on UDP 1900 answering M-SEARCH like a UPnP router.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "visitor_services: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// A dual-stack socket bound to [::]:port.
int bound_socket(int type, unsigned port) {
  int fd = ::socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int off = 0, on = 1;
  ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(static_cast<std::uint16_t>(port));
  a.sin6_addr = in6addr_any;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    die("bind port " + std::to_string(port));
  }
  if (type == SOCK_STREAM && ::listen(fd, 512) != 0) die("listen");
  return fd;
}

void answer_msearch(int fd) {
  char buf[2048];
  sockaddr_in6 from{};
  socklen_t len = sizeof from;
  ssize_t n = ::recvfrom(fd, buf, sizeof buf - 1, 0, reinterpret_cast<sockaddr*>(&from), &len);
  if (n <= 0) return;
  buf[n] = '\0';
  if (std::strncmp(buf, "M-SEARCH", 8) != 0) return;
  static const char reply[] =
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\n"
      "USN: uuid:2f402f80-da50-11e1-9b23-001788255acb::upnp:rootdevice\r\nEXT:\r\n"
      "SERVER: Linux/6.1 UPnP/1.1 breakwater-testbed/1.0\r\n"
      "LOCATION: http://198.18.0.2:49152/rootDesc.xml\r\n\r\n";
  ::sendto(fd, reply, sizeof reply - 1, 0, reinterpret_cast<sockaddr*>(&from), len);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<pollfd> fds;
  int ssdp = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--ssdp") {
      ssdp = bound_socket(SOCK_DGRAM, 1900);
      fds.push_back({ssdp, POLLIN, 0});
    } else if (a == "--tcp" && i + 1 < argc) {
      std::string list = argv[++i];
      for (std::size_t pos = 0; pos < list.size();) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        fds.push_back({bound_socket(SOCK_STREAM, static_cast<unsigned>(
                                                     std::stoul(list.substr(pos, comma - pos)))),
                       POLLIN, 0});
        pos = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: visitor_services [--tcp P1,P2,...] [--ssdp]\n");
      return 2;
    }
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::printf("ready\n");
  std::fflush(stdout);
  while (stop_requested == 0) {
    if (::poll(fds.data(), fds.size(), 500) < 0 && errno != EINTR) die("poll");
    for (pollfd& p : fds) {
      if ((p.revents & POLLIN) == 0) continue;
      if (p.fd == ssdp) {
        answer_msearch(p.fd);
        continue;
      }
      for (int c; (c = ::accept4(p.fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) ::close(c);
    }
  }
  return 0;
}
