// The test bed's link: a TUN device in each of two network namespaces, and this relay between
// them holding each packet for a delay (+- jitter) and dropping a share of them, since the
// kernel has no netem. It forwards only packets between 198.18.0.0/15 or 2001:2::/48 addresses.
// With --stall-every-ms it also stalls now and then (every 0.5 to 1.5 times that, for 0.5 to
// 1.5 times --stall-ms): nothing leaves until the stall ends, as behind a queue that filled.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

struct options {
  std::string ns_a, ns_b, dev = "bwl0";
  double delay_ms = 0, jitter_ms = 0, loss_pct = 0, stall_every_ms = 0, stall_ms = 200;
  unsigned seed = 1;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "link_relay: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

int open_fd(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open " + path);
  return fd;
}

// Creates the TUN device inside namespace `ns` (a name under /run/netns); the descriptor stays
// bound to that namespace after we return to our own.
int open_tun_in(const std::string& ns, const std::string& dev) {
  int home = open_fd("/proc/self/ns/net");
  int target = open_fd("/run/netns/" + ns);
  if (::setns(target, CLONE_NEWNET) != 0) die("setns " + ns);
  int tun = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (tun < 0) die("open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev.c_str());
  if (::ioctl(tun, TUNSETIFF, &ifr) != 0) die("TUNSETIFF in " + ns);
  if (::setns(home, CLONE_NEWNET) != 0) die("setns back");
  ::close(target);
  ::close(home);
  return tun;
}

bool in_test_ranges(const std::uint8_t* p, std::size_t n) {
  if (n >= 20 && (p[0] >> 4) == 4) {
    auto ok = [](const std::uint8_t* a) { return a[0] == 198 && (a[1] & 0xfe) == 18; };
    return ok(p + 12) && ok(p + 16);
  }
  if (n >= 40 && (p[0] >> 4) == 6) {
    auto ok = [](const std::uint8_t* a) {
      return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 2 && a[4] == 0 && a[5] == 0;
    };
    return ok(p + 8) && ok(p + 24);
  }
  return false;
}

struct held {
  steady::time_point due;
  std::uint64_t seq;
  int out;
  std::vector<std::uint8_t> data;
  bool operator>(const held& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--ns-a")
      o.ns_a = v;
    else if (k == "--ns-b")
      o.ns_b = v;
    else if (k == "--dev")
      o.dev = v;
    else if (k == "--delay-ms")
      o.delay_ms = std::stod(v);
    else if (k == "--jitter-ms")
      o.jitter_ms = std::stod(v);
    else if (k == "--loss")
      o.loss_pct = std::stod(v);
    else if (k == "--stall-every-ms")
      o.stall_every_ms = std::stod(v);
    else if (k == "--stall-ms")
      o.stall_ms = std::stod(v);
    else if (k == "--seed")
      o.seed = static_cast<unsigned>(std::stoul(v));
    else {
      std::fprintf(stderr, "link_relay: unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.ns_a.empty() || o.ns_b.empty()) {
    std::fprintf(stderr,
                 "usage: link_relay --ns-a NS --ns-b NS [--dev NAME] [--delay-ms N] "
                 "[--jitter-ms N] [--loss PCT] [--stall-every-ms N [--stall-ms N]] [--seed N]\n"
                 "  (delay is one way)\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  options o = parse(argc, argv);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::array<int, 2> fds{open_tun_in(o.ns_a, o.dev), open_tun_in(o.ns_b, o.dev)};
  std::printf("ready\n");
  std::fflush(stdout);

  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Stalls draw from their own generator: the loss and delay of each packet stay as without.
  std::mt19937 stall_rng(o.seed + 1);
  auto ms_around = [&](double ms) {
    return std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double, std::milli>(ms * (0.5 + unit(stall_rng))));
  };
  steady::time_point stall_from = steady::time_point::max(), stall_to = steady::time_point::min();
  if (o.stall_every_ms > 0) {
    stall_from = steady::now() + ms_around(o.stall_every_ms);
    stall_to = stall_from + ms_around(o.stall_ms);
  }
  std::priority_queue<held, std::vector<held>, std::greater<>> queue;
  std::uint64_t seq = 0, forwarded = 0, lost = 0, refused = 0;
  std::vector<std::uint8_t> buf(65536);
  while (stop_requested == 0) {
    if (o.stall_every_ms > 0 && steady::now() >= stall_to) {
      stall_from = stall_to + ms_around(o.stall_every_ms);
      stall_to = stall_from + ms_around(o.stall_ms);
    }
    const bool stalled = steady::now() >= stall_from;
    int timeout = -1;
    if (!queue.empty()) {
      auto next = stalled ? std::max(stall_to, queue.top().due) : queue.top().due;
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - steady::now());
      timeout = static_cast<int>(std::max<std::int64_t>(0, wait.count()));
    }
    std::array<pollfd, 2> p{{{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}}};
    int r = ::poll(p.data(), p.size(), timeout);
    if (r < 0 && errno != EINTR) die("poll");
    for (std::size_t side = 0; side < 2 && r > 0; ++side) {
      if ((p[side].revents & POLLIN) == 0) continue;
      for (int burst = 0; burst < 256; ++burst) {
        ssize_t n = ::read(fds[side], buf.data(), buf.size());
        if (n <= 0) break;
        auto len = static_cast<std::size_t>(n);
        if (!in_test_ranges(buf.data(), len)) {
          ++refused;
          continue;
        }
        if (unit(rng) * 100.0 < o.loss_pct) {
          ++lost;
          continue;
        }
        double ms = o.delay_ms + (o.jitter_ms > 0 ? (unit(rng) * 2 - 1) * o.jitter_ms : 0);
        auto due =
            steady::now() + std::chrono::duration_cast<steady::duration>(
                                std::chrono::duration<double, std::milli>(std::max(0.0, ms)));
        queue.push(held{due, seq++, fds[1 - side], {buf.begin(), buf.begin() + n}});
      }
    }
    auto now = steady::now();
    while (!queue.empty() && queue.top().due <= now && !(now >= stall_from && now < stall_to)) {
      const held& h = queue.top();
      if (::write(h.out, h.data.data(), h.data.size()) > 0) ++forwarded;
      queue.pop();
    }
  }
  std::fprintf(stderr,
               "link_relay: forwarded %llu, lost %llu, refused %llu (outside test ranges)\n",
               static_cast<unsigned long long>(forwarded), static_cast<unsigned long long>(lost),
               static_cast<unsigned long long>(refused));
  return 0;
}
