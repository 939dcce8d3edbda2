// The raw-SYN backend on loopback (127.0.0.1 and ::1 only; root or CAP_NET_RAW, else skipped):
// open ports answer SYN-ACK and are never connected, closed ones reset, answers reach the
// right probe among hundreds, an idle prober leaves its io_context without work, and answers
// forged by a third party who saw the SYN but got one field wrong change no verdict.
#include "probe/probers/raw_syn_prober.hpp"
#include "probe/engine.hpp"

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
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
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

TEST_F(raw_syn, open_port_answers_syn_ack_and_no_connection_is_made) {
  auto lo = asio::ip::make_address("127.0.0.1");
  asio::ip::tcp::acceptor listener(ctx, {lo, 0});
  auto o = probe_all(lo, {listener.local_endpoint().port()}).at(0);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_GT(o.rtt, 0ns);
  // The kernel reset the SYN-ACK: nothing waits in the accept queue.
  listener.non_blocking(true);
  boost::system::error_code ec;
  asio::ip::tcp::socket s(ctx);
  listener.accept(s, ec);
  EXPECT_EQ(ec, asio::error::would_block) << ec.message();
}

TEST_F(raw_syn, closed_port_refuses_with_a_reset) {
  auto lo = asio::ip::make_address("127.0.0.1");
  auto o = probe_all(lo, {closed_port(lo)}).at(0);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::rst);
  EXPECT_EQ(o.state(), port_state::closed);
}

TEST_F(raw_syn, ipv6_open_and_closed) {
  boost::system::error_code ec;
  auto lo6 = asio::ip::make_address("::1");
  asio::ip::tcp::acceptor listener(ctx);
  listener.open(asio::ip::tcp::v6(), ec);
  if (!ec) listener.bind({lo6, 0}, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  listener.listen();
  auto out = probe_all(lo6, {listener.local_endpoint().port(), closed_port(lo6)});
  EXPECT_EQ(out[0].why, reason::syn_ack);
  EXPECT_EQ(out[1].why, reason::rst);
  EXPECT_EQ(out[1].what, probe_outcome::kind::answered);
}

TEST_F(raw_syn, each_answer_reaches_its_own_probe_among_hundreds) {
  auto lo = asio::ip::make_address("127.0.0.1");
  std::vector<asio::ip::tcp::acceptor> listeners;
  std::map<std::uint16_t, bool> open;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0) {
      listeners.emplace_back(ctx, asio::ip::tcp::endpoint(lo, 0));
      ports.push_back(listeners.back().local_endpoint().port());
      open[ports.back()] = true;
    } else {
      ports.push_back(closed_port(lo));
    }
  }
  auto out = probe_all(lo, ports);
  for (std::size_t i = 0; i < ports.size(); ++i) {
    EXPECT_EQ(out[i].what, probe_outcome::kind::answered) << ports[i];
    EXPECT_EQ(out[i].why, open.contains(ports[i]) ? reason::syn_ack : reason::rst) << ports[i];
  }
}

// Loopback answers every SYN at once: a fast scan must read every answer, not time out on
// answers still waiting in the socket behind the event loop's other work.
TEST_F(raw_syn, a_fast_scan_reads_every_answer_on_its_first_try) {
  engine_options eo;
  eo.backend = prober;
  eo.max_rate = 200000;
  engine e(ctx.get_executor(), eo);
  scan_request r;
  r.target = asio::ip::make_address("127.0.0.1");
  r.ports = *parse_port_set("20000-29999");
  r.options.rate = 100000;
  auto f = asio::co_spawn(ctx, e.scan(std::move(r)), asio::use_future);
  ctx.run();
  auto result = f.get();
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->summary().stealth, 0u);
  std::size_t retried = 0;
  for (const auto& p : result->ports) retried += p.tries > 1 ? 1 : 0;
  EXPECT_EQ(retried, 0u);
}

TEST_F(raw_syn, the_same_port_twice_at_once_gets_two_answers) {
  auto lo = asio::ip::make_address("127.0.0.1");
  std::uint16_t port = closed_port(lo);
  auto out = probe_all(lo, {port, port});
  EXPECT_EQ(out[0].why, reason::rst);
  EXPECT_EQ(out[1].why, reason::rst);
}

// --- Forged answers. A third party on the path (here: the test itself) sees our SYN and sends
// answers that get one field wrong; only an exact answer may settle the probe.

using packet = std::vector<std::uint8_t>;

void put16(packet& p, std::size_t at, std::uint16_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}

void put32(packet& p, std::size_t at, std::uint32_t v) {
  put16(p, at, static_cast<std::uint16_t>(v >> 16));
  put16(p, at + 2, static_cast<std::uint16_t>(v));
}

std::uint16_t sum(const packet& p, std::uint32_t acc) {
  for (std::size_t i = 0; i + 1 < p.size(); i += 2)
    acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

// A TCP segment between two loopback addresses (127.0.0.1 both ways), with its checksum.
packet segment(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
               std::uint8_t flags) {
  packet t(20, 0);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  put16(t, 14, 1024);
  put16(t, 16, sum(t, 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 6 + 20));
  return t;
}

// A port-unreachable quoting a SYN from `quoted_source` (127.0.0.x) to 127.0.0.1.
packet unreachable(std::uint8_t quoted_source, std::uint16_t sport, std::uint16_t dport,
                   std::uint32_t seq) {
  packet m{3, 3, 0, 0, 0, 0, 0, 0};
  packet ip{0x45, 0, 0, 44, 0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, quoted_source, 127, 0, 0, 1};
  m.insert(m.end(), ip.begin(), ip.end());
  packet syn = segment(sport, dport, seq, 0, 0x02);
  m.insert(m.end(), syn.begin(), syn.begin() + 8);
  put16(m, 2, sum(m, 0));
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

// Keeps what a prober reports.
struct recording_sink final : probe_sink {
  explicit recording_sink(asio::any_io_executor e) : ex(std::move(e)) {}
  void finished(probe_tag tag, const probe_outcome& o) override { got.emplace_back(tag, o); }
  void late(probe_tag tag, const probe_outcome& o) override { late_got.emplace_back(tag, o); }
  const asio::any_io_executor& executor() const noexcept override { return ex; }
  asio::any_io_executor ex;
  std::vector<std::pair<probe_tag, probe_outcome>> got;
  std::vector<std::pair<probe_tag, probe_outcome>> late_got;
};

// A try cancelled before it leaves or while it waits reports nothing and keeps nothing
// waiting: the io_context runs out of work when the one other try times out.
TEST_F(raw_syn, a_cancelled_try_reports_nothing_and_holds_no_work) {
  silent_port silent(ctx);
  recording_sink sink(ctx.get_executor());
  auto lo = asio::ip::make_address("127.0.0.1");
  prober->start({lo, silent.port, 300ms, 1}, sink);
  prober->cancel(prober->start({lo, silent.port, 20s, 2}, sink));  // before it is sent
  ctx.run_for(50ms);
  probe_handle waiting = prober->start({lo, silent.port, 20s, 3}, sink);
  ctx.run_for(50ms);
  prober->cancel(waiting);
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].first, 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
}

struct raw_syn_forgery : raw_syn {
  // Probes the silent port while `answer` (in another thread) sees the SYN and replies.
  probe_outcome probe_answered_by(
      const std::function<void(forger&, std::uint16_t port, const sniffed_syn&)>& answer) {
    silent_port silent(ctx);
    forger f;
    if (!f.ok()) return {};
    std::thread t([&f, &silent, &answer] {
      if (auto syn = f.wait_for_syn(silent.port)) answer(f, silent.port, *syn);
    });
    auto o = probe_all(asio::ip::make_address("127.0.0.1"), {silent.port}).at(0);
    t.join();
    return o;
  }
};

TEST_F(raw_syn_forgery, the_silent_port_is_silent) {
  auto o = probe_answered_by([](forger&, std::uint16_t, const sniffed_syn&) {});
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

TEST_F(raw_syn_forgery, a_reset_or_syn_ack_with_the_wrong_ack_changes_nothing) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    for (std::uint32_t ack : {syn.seq, syn.seq + 2, syn.seq - 1, 0u}) {
      f.send(f.tcp, segment(port, syn.source_port, 0, ack, 0x14));  // RST+ACK
      f.send(f.tcp, segment(port, syn.source_port, 5, ack, 0x12));  // SYN+ACK
    }
    // The right ack, from another port or to another of ours.
    f.send(f.tcp,
           segment(static_cast<std::uint16_t>(port + 1), syn.source_port, 0, syn.seq + 1, 0x14));
    f.send(f.tcp,
           segment(port, static_cast<std::uint16_t>(syn.source_port + 1), 0, syn.seq + 1, 0x14));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

TEST_F(raw_syn_forgery, an_icmp_error_quoting_another_source_or_seq_changes_nothing) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.icmp, unreachable(2, syn.source_port, port, syn.seq));  // from 127.0.0.2, not us
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq + 1));
    f.send(f.icmp, unreachable(1, syn.source_port, static_cast<std::uint16_t>(port + 1), syn.seq));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

// The controls: the same injection with every field right does reach the prober.
TEST_F(raw_syn_forgery, an_exact_reset_is_taken) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.tcp, segment(port, syn.source_port, 0, syn.seq + 1, 0x14));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::rst);
}

TEST_F(raw_syn_forgery, an_exact_syn_ack_at_once_is_taken_and_timed) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 1, 0x12));
  });
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_TRUE(o.timed);
  EXPECT_LT(o.rtt, tcp_first_resend);
}

// A SYN-ACK a second late is reported with its time: whether it may be the target's resend
// depends on the path's round trip, which the scan knows (scan_run::may_be_resent_syn_ack).
TEST_F(raw_syn_forgery, a_syn_ack_a_second_late_is_reported_with_its_time) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(tcp_first_resend + 20ms);
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 1, 0x12));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_TRUE(o.timed);
  EXPECT_GE(o.rtt, tcp_first_resend);
}

TEST_F(raw_syn_forgery, an_exact_icmp_quote_is_taken) {
  auto o = probe_answered_by([](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
  });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::icmp_unreachable);
}

// --- Answers after the timeout. A try that lingers is reported silent at its timeout and
// still hears its own answer (an exact one only) until the linger ends.

struct raw_syn_linger : raw_syn {
  recording_sink sink{ctx.get_executor()};
  std::chrono::steady_clock::duration ran_for{};

  // One try of the silent port (timeout 150 ms, linger `linger`) while `answer` (in another
  // thread) sees its SYN and replies; `cancel_after`, if set, cancels the try then. Runs until
  // the io_context runs out of work.
  void run_try(duration linger,
               const std::function<void(forger&, std::uint16_t port, const sniffed_syn&)>& answer,
               std::optional<duration> cancel_after = std::nullopt) {
    silent_port silent(ctx);
    forger f;
    if (!f.ok()) GTEST_SKIP() << "no raw sockets to forge answers";
    std::thread t([&f, &silent, &answer] {
      if (auto syn = f.wait_for_syn(silent.port)) answer(f, silent.port, *syn);
    });
    auto lo = asio::ip::make_address("127.0.0.1");
    probe_try pt{lo, silent.port, 150ms, 1};
    pt.linger = linger;
    probe_handle h = prober->start(pt, sink);
    asio::steady_timer cancel(ctx);
    if (cancel_after) {
      cancel.expires_after(*cancel_after);
      cancel.async_wait([&](boost::system::error_code) { prober->cancel(h); });
    }
    auto start = std::chrono::steady_clock::now();
    ctx.run();
    ran_for = std::chrono::steady_clock::now() - start;
    ctx.restart();
    t.join();
  }
};

TEST_F(raw_syn_linger, an_error_after_the_timeout_is_heard_late_with_its_time) {
  run_try(2s, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(400ms);
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
  });
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].second.what, probe_outcome::kind::silent);
  ASSERT_EQ(sink.late_got.size(), 1u);
  EXPECT_EQ(sink.late_got[0].first, 1u);
  const probe_outcome& o = sink.late_got[0].second;
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::icmp_unreachable);
  EXPECT_TRUE(o.timed);
  EXPECT_GE(o.rtt, 400ms);
  EXPECT_LT(ran_for, 1s) << "heard, the try holds no work";
}

TEST_F(raw_syn_linger, a_syn_ack_after_the_timeout_is_heard_late) {
  run_try(2s, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(400ms);
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 1, 0x12));
  });
  ASSERT_EQ(sink.late_got.size(), 1u);
  EXPECT_EQ(sink.late_got[0].second.why, reason::syn_ack);
}

TEST_F(raw_syn_linger, a_forged_late_answer_is_not_heard) {
  run_try(600ms, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(300ms);
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq + 1));
    f.send(f.tcp, segment(port, syn.source_port, 9, syn.seq + 2, 0x12));
    f.send(f.icmp, unreachable(2, syn.source_port, port, syn.seq));
  });
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
  EXPECT_GE(ran_for, 700ms) << "the try lingered to its end";
  EXPECT_LT(ran_for, 2s);
}

TEST_F(raw_syn_linger, an_answer_after_the_linger_is_not_heard) {
  run_try(200ms, [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
    std::this_thread::sleep_for(600ms);
    f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
  });
  EXPECT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
}

TEST_F(raw_syn_linger, a_cancelled_lingering_try_reports_nothing_more_and_holds_no_work) {
  run_try(
      10s,
      [](forger& f, std::uint16_t port, const sniffed_syn& syn) {
        std::this_thread::sleep_for(500ms);
        f.send(f.icmp, unreachable(1, syn.source_port, port, syn.seq));
      },
      300ms);
  EXPECT_EQ(sink.got.size(), 1u);
  EXPECT_TRUE(sink.late_got.empty());
  EXPECT_LT(ran_for, 2s);
}

// --- Answers to a port's earlier try. The target's first SYN-ACK is lost; it sends it again a
// second later, and Linux answers a new SYN on the same ports with a bare ACK of the old
// number. The try waiting then may take either, if the earlier try was its own scan's.

struct raw_syn_earlier : raw_syn {
  // A first try of the silent port (series 7, the port's first), left unanswered; then
  // a second of the same port (`series`, `earlier`), while `answer` (in another thread) sees its
  // SYN and replies, knowing both.
  probe_outcome second_try(
      std::uint64_t series, std::uint32_t earlier,
      const std::function<void(forger&, std::uint16_t port, const sniffed_syn& first,
                               const sniffed_syn& second)>& answer) {
    silent_port silent(ctx);
    forger f;
    if (!f.ok()) return {};
    recording_sink sink(ctx.get_executor());
    auto lo = asio::ip::make_address("127.0.0.1");
    std::optional<sniffed_syn> first;
    std::thread sniff_first([&] { first = f.wait_for_syn(silent.port); });
    prober->start({lo, silent.port, 200ms, 1, 7, 0}, sink);
    ctx.run();
    ctx.restart();
    sniff_first.join();
    EXPECT_TRUE(first);
    EXPECT_EQ(sink.got.at(0).second.what, probe_outcome::kind::silent);
    probe_try second{lo, silent.port, 1s, 2, series, earlier};
    std::thread reply([&] {
      auto syn = f.wait_for_syn(silent.port);
      if (syn && first) answer(f, silent.port, *first, *syn);
    });
    prober->start(second, sink);
    ctx.run();
    ctx.restart();
    reply.join();
    return sink.got.at(1).second;
  }
};

TEST_F(raw_syn_earlier, a_bare_ack_of_the_scans_first_syn_shows_the_port_open) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn& second) {
        EXPECT_NE(first.seq, second.seq);
        EXPECT_EQ(first.source_port, second.source_port);
        f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x10));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::ack);
  EXPECT_EQ(o.state(), port_state::open);
  EXPECT_FALSE(o.timed) << "the round trip is not this try's";
}

TEST_F(raw_syn_earlier, the_first_syn_ack_sent_again_shows_the_port_open) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn&) {
        f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x12));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_FALSE(o.timed);
}

// A bare ACK of this try's own number is its answer, but never timed: a later SYN drew it
// (with hedged tries, one still waits while the next goes).
TEST_F(raw_syn_earlier, a_bare_ack_of_the_try_itself_is_its_answer_untimed) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn&, const sniffed_syn& second) {
        f.send(f.tcp, segment(port, second.source_port, 9, second.seq + 1, 0x10));
      });
  EXPECT_EQ(o.why, reason::ack);
  EXPECT_FALSE(o.timed);
}

// Another scan's try, or the same scan's first try sent again (earlier = 0), knows no earlier
// SYN: an answer to the first try is noise to it.
TEST_F(raw_syn_earlier, another_scans_earlier_syn_changes_nothing) {
  struct second {
    std::uint64_t series;
    std::uint32_t earlier;
  };
  for (second t : {second{8, 1}, second{0, 1}, second{7, 0}}) {
    SCOPED_TRACE(t.series * 10 + t.earlier);
    const bool same_try = t.series == 7;
    auto o = second_try(t.series, t.earlier,
                        [same_try](forger& f, std::uint16_t port, const sniffed_syn& first,
                                   const sniffed_syn& again) {
                          if (same_try) {
                            EXPECT_EQ(first.seq, again.seq) << "the same SYN";
                          }
                          f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x10));
                        });
    if (same_try) {
      EXPECT_EQ(o.what, probe_outcome::kind::answered) << "the same SYN, answered";
    } else {
      EXPECT_EQ(o.what, probe_outcome::kind::silent);
    }
  }
}

TEST_F(raw_syn_earlier, a_forged_ack_near_the_first_number_changes_nothing) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn&) {
        for (std::uint32_t ack : {first.seq, first.seq + 2, 0u}) {
          f.send(f.tcp, segment(port, first.source_port, 9, ack, 0x10));
        }
        f.send(f.tcp, segment(static_cast<std::uint16_t>(port + 1), first.source_port, 9,
                              first.seq + 1, 0x10));
        f.send(f.tcp, segment(port, first.source_port, 9, first.seq + 1, 0x11));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

// An ICMP error counts for the try it quotes only: the scan books each error at the try that
// drew it (the target's ICMP limit), so a late one must not land on a later try.
TEST_F(raw_syn_earlier, an_icmp_error_quoting_the_first_syn_is_not_the_seconds) {
  auto o = second_try(
      7, 1, [](forger& f, std::uint16_t port, const sniffed_syn& first, const sniffed_syn&) {
        f.send(f.icmp, unreachable(1, first.source_port, port, first.seq));
      });
  EXPECT_EQ(o.what, probe_outcome::kind::silent);
}

}  // namespace
