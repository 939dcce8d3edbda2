// The raw SYN prober's loopback test bed: a fixture that owns a prober, a port that never
// answers, raw sockets that sniff its SYNs and forge answers from 127.0.0.1, and a sink that
// keeps what the prober reports. Root or CAP_NET_RAW, else the tests are skipped.
#pragma once

#include "probe/engine.hpp"
#include "probe/probers/raw_syn_prober.hpp"
#include "support/packet_bytes.hpp"
#include "support/recording_sink.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <utility>
#include <vector>

namespace breakwater::probe::raw_syn_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct raw_syn : ::testing::Test {
  asio::io_context ctx;
  std::shared_ptr<raw_syn_prober> prober;

  void SetUp() override {
    auto p = raw_syn_prober::open(ctx.get_executor());
    if (!p) GTEST_SKIP() << "no raw sockets here: " << p.error().message();
    prober = *p;
  }

  // Runs until every probe is done: the io_context must run out of work on its own.
  std::vector<probe_outcome> probe_all(const asio::ip::address& a,
                                       const std::vector<std::uint16_t>& ports) {
    std::vector<std::future<probe_outcome>> futures;
    for (std::uint16_t p : ports) {
      futures.push_back(asio::co_spawn(ctx, probe_once(*prober, a, p, 2s), asio::use_future));
    }
    ctx.run();
    ctx.restart();
    std::vector<probe_outcome> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
  }

  std::uint16_t closed_port(const asio::ip::address& a) {
    asio::ip::tcp::acceptor gone(ctx, {a, 0});
    return gone.local_endpoint().port();
  }
};

using testing::checksum;
using testing::packet;
using testing::put16;
using testing::put32;
using testing::recording_sink;

// A TCP segment between two loopback addresses (127.0.0.1 both ways), with its checksum.
inline packet segment(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq,
                      std::uint32_t ack, std::uint8_t flags) {
  packet t = testing::tcp_segment(sport, dport, seq, ack, flags, 1024);
  put16(t, 16, checksum(t, 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 6 + 20));
  return t;
}

// A port-unreachable quoting a SYN from `quoted_source` (127.0.0.x) to 127.0.0.1.
inline packet unreachable(std::uint8_t quoted_source, std::uint16_t sport, std::uint16_t dport,
                          std::uint32_t seq) {
  packet m{3, 3, 0, 0, 0, 0, 0, 0};
  packet ip{0x45, 0, 0, 44, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, quoted_source, 127, 0, 0, 1};
  m.insert(m.end(), ip.begin(), ip.end());
  packet syn = segment(sport, dport, seq, 0, 0x02);
  m.insert(m.end(), syn.begin(), syn.begin() + 8);
  put16(m, 2, checksum(m));
  return m;
}

struct sniffed_syn {
  std::uint16_t source_port = 0;
  std::uint32_t seq = 0;
};

// Raw sockets of the test's own: one sees every TCP segment loopback delivers (our SYN among
// them), two send forged TCP and ICMP from 127.0.0.1.
struct forger {
  int sniff = ::socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
  int tcp = ::socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
  int icmp = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

  forger() {
    timeval tv{0, 200000};
    ::setsockopt(sniff, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~forger() {
    for (int fd : {sniff, tcp, icmp}) {
      if (fd >= 0) ::close(fd);
    }
  }
  bool ok() const { return sniff >= 0 && tcp >= 0 && icmp >= 0; }

  std::optional<sniffed_syn> wait_for_syn(std::uint16_t to_port) {
    std::array<std::uint8_t, 2048> b{};
    auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
      ssize_t n = ::recv(sniff, b.data(), b.size(), 0);
      if (n < 40) continue;
      std::size_t ihl = static_cast<std::size_t>(b[0] & 0x0f) * 4;
      if (static_cast<std::size_t>(n) < ihl + 20) continue;
      const std::uint8_t* t = b.data() + ihl;
      if ((t[2] << 8 | t[3]) != to_port || t[13] != 0x02) continue;
      return sniffed_syn{static_cast<std::uint16_t>(t[0] << 8 | t[1]),
                         static_cast<std::uint32_t>(t[4]) << 24 |
                             static_cast<std::uint32_t>(t[5]) << 16 |
                             static_cast<std::uint32_t>(t[6]) << 8 | t[7]};
    }
    return std::nullopt;
  }

  void send(int fd, const packet& p) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(fd, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
};

// A loopback port that never answers: its listener's accept queue is full (backlog 1, two
// connections never accepted), so the kernel drops further SYNs without a word.
struct silent_port {
  asio::ip::tcp::acceptor listener;
  std::vector<asio::ip::tcp::socket> queued;
  std::uint16_t port = 0;

  explicit silent_port(asio::io_context& ctx) : listener(ctx) {
    auto lo = asio::ip::make_address("127.0.0.1");
    listener.open(asio::ip::tcp::v4());
    listener.bind({lo, 0});
    listener.listen(1);
    port = listener.local_endpoint().port();
    for (int i = 0; i < 2; ++i) {
      queued.emplace_back(ctx);
      queued.back().connect({lo, port});
    }
  }
};

}  // namespace breakwater::probe::raw_syn_test
