// The real backend and the CLI on loopback (127.0.0.1 and ::1 only): an open port is found
// and reset, a closed one refuses, and the CLI prints the documented JSON and exit codes.
#include "probe/engine.hpp"
#include "probe/probers/ping.hpp"
#include "probe/probers/tcp_connect_prober.hpp"
#include "probe/probers/upnp.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;
using namespace std::chrono_literals;

struct loopback : ::testing::Test {
  asio::io_context ctx;

  probe_outcome probe_once(const asio::ip::address& a, std::uint16_t port) {
    tcp_connect_prober p;
    auto f = asio::co_spawn(ctx, p.probe(a, port, 2s), asio::use_future);
    ctx.run();
    ctx.restart();
    return f.get();
  }
};

TEST_F(loopback, open_port_answers_syn_ack_and_is_reset_not_left_in_time_wait) {
  asio::ip::tcp::acceptor listener(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  std::uint16_t port = listener.local_endpoint().port();
  probe_outcome o = probe_once(asio::ip::make_address("127.0.0.1"), port);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::syn_ack);
  EXPECT_GT(o.rtt, 0ns);
  // The connection was reset: accepting it and reading gives an error or EOF, never data.
  asio::ip::tcp::socket s(ctx);
  listener.accept(s);
  char c = 0;
  boost::system::error_code ec;
  s.read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec == asio::error::connection_reset || ec == asio::error::eof) << ec.message();
}

TEST_F(loopback, closed_port_refuses_with_a_reset) {
  std::uint16_t port = 0;
  {
    asio::ip::tcp::acceptor a(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed again: nothing listens there now
  probe_outcome o = probe_once(asio::ip::make_address("127.0.0.1"), port);
  EXPECT_EQ(o.what, probe_outcome::kind::answered);
  EXPECT_EQ(o.why, reason::rst);
  EXPECT_EQ(o.state(), port_state::closed);
  EXPECT_TRUE(o.timed);  // the first SYN's answer: a round trip
  EXPECT_EQ(o.resent_after, 0ns);
}

// Runs the connect() prober in a network namespace of its own (a child process), where
// nftables drops the first SYN to port 9 and answers the kernel's resend with `answer`.
// Returns what the prober saw, as "<reason> timed=<0|1> resent_ms=<n>", or nothing when
// this host cannot make the namespace (not root, no nft).
std::optional<std::string> connect_after_a_lost_syn(const std::string& answer) {
  int out[2];
  if (::pipe(out) != 0) return std::nullopt;
  pid_t child = ::fork();
  if (child < 0) return std::nullopt;
  if (child == 0) {
    ::close(out[0]);
    std::string rules = fmt::format(
        "ip link set lo up && nft -f - <<'EOF'\n"
        "table inet t {{ chain out {{ type filter hook output priority 0;\n"
        "  tcp dport 9 tcp flags syn numgen inc mod 2 0 drop\n"
        "  tcp dport 9 {}\n}}\n}}\nEOF\n",
        answer);
    if (::unshare(CLONE_NEWNET) != 0 || std::system(rules.c_str()) != 0) ::_exit(77);
    asio::io_context own;  // not the parent's: its epoll set is shared across fork()
    tcp_connect_prober p;
    auto f =
        asio::co_spawn(own, p.probe(asio::ip::make_address("127.0.0.1"), 9, 5s), asio::use_future);
    own.run();
    probe_outcome o = f.get();
    std::string line =
        fmt::format("{} timed={} resent_ms={}", to_string(o.why), o.timed ? 1 : 0,
                    std::chrono::duration_cast<std::chrono::milliseconds>(o.resent_after).count());
    bool written = ::write(out[1], line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(out[1]);
  std::string got;
  std::array<char, 256> buf{};
  for (ssize_t n; (n = ::read(out[0], buf.data(), buf.size())) > 0;) {
    got.append(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return got;
}

// Linux sends a connecting socket's SYN again after 1 s. An answer after that resend may
// be either SYN's: it times no round trip, and an ICMP error is booked at the resend, where
// the target's ICMP limit most likely spent its token (the first SYN was lost).
TEST(connect_prober_namespace, an_answer_after_the_kernels_resend_times_nothing) {
  auto icmp = connect_after_a_lost_syn("reject with icmp type admin-prohibited");
  if (!icmp) GTEST_SKIP() << "needs root and nft for a network namespace";
  EXPECT_EQ(*icmp, "icmp-unreachable timed=0 resent_ms=1000");
  auto reset = connect_after_a_lost_syn("reject with tcp reset");
  ASSERT_TRUE(reset);
  EXPECT_EQ(*reset, "rst timed=0 resent_ms=1000");
}

TEST_F(loopback, ipv6_works_too) {
  boost::system::error_code ec;
  asio::ip::tcp::acceptor listener(ctx);
  listener.open(asio::ip::tcp::v6(), ec);
  if (!ec) listener.bind({asio::ip::make_address("::1"), 0}, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  listener.listen();
  probe_outcome o = probe_once(asio::ip::make_address("::1"), listener.local_endpoint().port());
  EXPECT_EQ(o.why, reason::syn_ack);
}

TEST_F(loopback, upnp_reports_the_answer_and_its_headers) {
  asio::ip::udp::socket device(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  upnp_options o;
  o.port = device.local_endpoint().port();
  o.interval = 50ms;
  o.wait = 500ms;
  std::array<char, 1024> buf{};
  asio::ip::udp::endpoint from;
  std::string request;
  device.async_receive_from(
      asio::buffer(buf), from, [&](boost::system::error_code ec, std::size_t n) {
        ASSERT_FALSE(ec);
        request.assign(buf.data(), n);
        static const std::string reply =
            "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nSERVER: test UPnP/1.1\r\n\r\n";
        device.send_to(asio::buffer(reply), from);
      });
  auto f =
      asio::co_spawn(ctx, probe_upnp(asio::ip::make_address("127.0.0.1"), o), asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  EXPECT_EQ(request.rfind("M-SEARCH * HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[1].second, "test UPnP/1.1");
}

TEST_F(loopback, upnp_without_a_device_is_not_answered) {
  std::uint16_t port = 0;
  {
    asio::ip::udp::socket s(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    port = s.local_endpoint().port();
  }
  upnp_options o;
  o.port = port;
  o.interval = 100ms;
  o.wait = 200ms;
  unsigned errors = 0;
  o.on_icmp_error = [&errors](time_point) { ++errors; };
  auto f =
      asio::co_spawn(ctx, probe_upnp(asio::ip::make_address("127.0.0.1"), o), asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  EXPECT_FALSE(r.answered);
  EXPECT_TRUE(r.refused);  // loopback answers with ICMP port unreachable
  // Refused: no second request (it would spend the target's ICMP limit unseen), and the
  // error is counted once.
  EXPECT_EQ(r.sent, 1u);
  EXPECT_EQ(errors, 1u);
}

// A device that reads the M-SEARCH and lets the test decide what comes back, and when.
struct silent_device {
  asio::ip::udp::socket sock;
  asio::ip::udp::endpoint prober;  // where the M-SEARCH came from
  std::array<char, 1024> buf{};

  explicit silent_device(asio::io_context& ctx)
      : sock(ctx, {asio::ip::make_address("127.0.0.1"), 0}) {}
  std::uint16_t port() const { return sock.local_endpoint().port(); }

  // Calls `then` once the first M-SEARCH arrived.
  void on_request(std::function<void()> then) {
    sock.async_receive_from(asio::buffer(buf), prober,
                            [then = std::move(then)](boost::system::error_code ec, std::size_t) {
                              if (!ec) then();
                            });
  }
};

upnp_options quick_upnp(std::uint16_t port) {
  upnp_options o;
  o.port = port;
  o.tries = 2;
  o.interval = 100ms;
  o.wait = 300ms;
  return o;
}

// A target whose ICMP limit was empty for the first requests refuses a later one: the error
// is booked at the request that drew it, not at the first.
TEST_F(loopback, upnp_books_a_refusal_at_the_request_that_drew_it) {
  silent_device device(ctx);
  time_point second_seen{};
  device.on_request([&] {  // the first request
    device.sock.async_receive_from(asio::buffer(device.buf), device.prober,
                                   [&](boost::system::error_code ec, std::size_t) {
                                     if (ec) return;
                                     second_seen = clock::now();
                                     device.sock.close();  // the third is refused
                                   });
  });
  upnp_options o = quick_upnp(device.port());
  o.tries = 3;
  std::vector<time_point> booked;
  o.on_icmp_error = [&booked](time_point t) { booked.push_back(t); };
  auto f =
      asio::co_spawn(ctx, probe_upnp(asio::ip::make_address("127.0.0.1"), o), asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  EXPECT_TRUE(r.refused);
  EXPECT_EQ(r.sent, 3u);
  ASSERT_EQ(booked.size(), 1u);
  EXPECT_GT(booked[0], second_seen);
}

// Someone else answers for the target first, from 127.0.0.2: the kernel drops it, and the
// target's own answer, which comes later, is the one reported.
TEST_F(loopback, upnp_ignores_answers_from_other_addresses) {
  silent_device device(ctx);
  asio::ip::udp::socket forger(ctx, {asio::ip::make_address("127.0.0.2"), 0});
  asio::steady_timer later(ctx);
  device.on_request([&] {
    static const std::string forged = "HTTP/1.1 200 OK\r\nSERVER: forged\r\n\r\n";
    forger.send_to(asio::buffer(forged), device.prober);
    later.expires_after(50ms);
    later.async_wait([&](boost::system::error_code) {
      static const std::string real = "HTTP/1.1 200 OK\r\nSERVER: real\r\n\r\n";
      device.sock.send_to(asio::buffer(real), device.prober);
    });
  });
  auto f = asio::co_spawn(
      ctx, probe_upnp(asio::ip::make_address("127.0.0.1"), quick_upnp(device.port())),
      asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  EXPECT_EQ(r.error, "");
  ASSERT_TRUE(r.answered);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "real");
  EXPECT_EQ(r.from.rfind("127.0.0.1:", 0), 0u) << r.from;
}

// The kernel filter compares the IPv6 source a word at a time: the target's own answer passes.
TEST_F(loopback, upnp_over_ipv6_hears_the_target) {
  boost::system::error_code ec;
  asio::ip::udp::socket device(ctx);
  device.open(asio::ip::udp::v6(), ec);
  if (!ec) device.bind({asio::ip::make_address("::1"), 0}, ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  std::array<char, 1024> buf{};
  asio::ip::udp::endpoint from;
  device.async_receive_from(asio::buffer(buf), from, [&](boost::system::error_code e, std::size_t) {
    if (e) return;
    static const std::string reply = "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n";
    device.send_to(asio::buffer(reply), from);
  });
  auto f = asio::co_spawn(
      ctx, probe_upnp(asio::ip::make_address("::1"), quick_upnp(device.local_endpoint().port())),
      asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.from.rfind("[::1]:", 0), 0u) << r.from;
}

// A port-unreachable from 127.0.0.1 quoting a UDP datagram from `sport` to 127.0.0.`dst`:`dport`.
std::vector<std::uint8_t> udp_unreachable(std::uint16_t sport, std::uint8_t dst,
                                          std::uint16_t dport) {
  std::vector<std::uint8_t> m{
      3, 3, 0, 0, 0, 0, 0, 0,
      // the quoted IPv4 header: 127.0.0.1 -> 127.0.0.dst, UDP
      0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, dst,
      // the quoted UDP header
      static_cast<std::uint8_t>(sport >> 8), static_cast<std::uint8_t>(sport),
      static_cast<std::uint8_t>(dport >> 8), static_cast<std::uint8_t>(dport), 0, 8, 0, 0};
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < m.size(); i += 2)
    sum += static_cast<std::uint32_t>(m[i] << 8 | m[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  m[2] = static_cast<std::uint8_t>(~sum >> 8);
  m[3] = static_cast<std::uint8_t>(~sum);
  return m;
}

// Sends `icmp` to 127.0.0.1 from a raw socket; false without the privilege.
bool send_icmp(const std::vector<std::uint8_t>& icmp) {
  int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) return false;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool sent = ::sendto(fd, icmp.data(), icmp.size(), 0, reinterpret_cast<sockaddr*>(&to),
                       sizeof to) == static_cast<ssize_t>(icmp.size());
  ::close(fd);
  return sent;
}

// The socket is not connected, so the kernel queues an error quoting our port and ANY
// destination: one about a datagram to another address, or to another port, is not a refusal.
TEST_F(loopback, upnp_ignores_an_icmp_error_about_another_destination) {
  silent_device device(ctx);
  bool injected = false;
  device.on_request([&] {
    std::uint16_t ours = device.prober.port();
    injected = send_icmp(udp_unreachable(ours, 3, device.port())) &&
               send_icmp(udp_unreachable(ours, 1, static_cast<std::uint16_t>(device.port() + 1)));
  });
  unsigned errors = 0;
  upnp_options o = quick_upnp(device.port());
  o.on_icmp_error = [&errors](time_point) { ++errors; };
  auto f =
      asio::co_spawn(ctx, probe_upnp(asio::ip::make_address("127.0.0.1"), o), asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  if (!injected) GTEST_SKIP() << "no raw ICMP socket here";
  EXPECT_FALSE(r.refused);
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.sent, 2u);  // it kept asking
  EXPECT_EQ(errors, 0u);
}

// The control: the same injection about our own request is a refusal.
TEST_F(loopback, upnp_takes_an_icmp_error_about_its_own_request) {
  silent_device device(ctx);
  bool injected = false;
  device.on_request(
      [&] { injected = send_icmp(udp_unreachable(device.prober.port(), 1, device.port())); });
  auto f = asio::co_spawn(
      ctx, probe_upnp(asio::ip::make_address("127.0.0.1"), quick_upnp(device.port())),
      asio::use_future);
  ctx.run();
  upnp_result r = f.get();
  if (!injected) GTEST_SKIP() << "no raw ICMP socket here";
  EXPECT_TRUE(r.refused);
}

TEST_F(loopback, ping_answers_or_says_why_not) {
  ping_options o;
  o.count = 2;
  o.interval = 20ms;
  o.wait = 500ms;
  auto f =
      asio::co_spawn(ctx, ping_target(asio::ip::make_address("127.0.0.1"), o), asio::use_future);
  ctx.run();
  ping_result r = f.get();
  if (!r.permitted) {
    EXPECT_NE(r.error.find("not allowed"), std::string::npos) << r.error;
    GTEST_SKIP() << "neither raw nor ping sockets here: " << r.error;
  }
  EXPECT_TRUE(r.answered);
  EXPECT_TRUE(r.rtt.has_value());
}

// The reply must echo the run's random identifier, sequence number and cookie; a real stack
// does, over IPv6 too.
TEST_F(loopback, ping_over_ipv6_answers_or_says_why_not) {
  ping_options o;
  o.count = 2;
  o.interval = 20ms;
  o.wait = 500ms;
  auto f = asio::co_spawn(ctx, ping_target(asio::ip::make_address("::1"), o), asio::use_future);
  ctx.run();
  ping_result r = f.get();
  if (!r.permitted) GTEST_SKIP() << "neither raw nor ping sockets here: " << r.error;
  if (!r.error.empty()) GTEST_SKIP() << "no IPv6 loopback here: " << r.error;
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.received, 1u);
}

struct run_result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

run_result run_cli(const std::string& args) {
  // One directory per process: ctest runs these tests in parallel.
  auto dir = std::filesystem::path(::testing::TempDir()) / fmt::format("bw-probe-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::string cmd = fmt::format("{} {} >{} 2>{} </dev/null", BREAKWATER_BINARY, args,
                                (dir / "pout").string(), (dir / "perr").string());
  int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir / "pout"), slurp(dir / "perr")};
}

TEST(probe_cli, json_lists_every_requested_port_once) {
  asio::io_context ctx;
  asio::ip::tcp::acceptor listener(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  std::uint16_t open = listener.local_endpoint().port();
  run_result r =
      run_cli(fmt::format("probe 127.0.0.1 --ports {},{}-{} --json", open, open + 1, open + 3));
  ASSERT_EQ(r.status, 0) << r.err;
  auto v = boost::json::parse(r.out).as_object();
  EXPECT_EQ(v.at("target").as_string(), "127.0.0.1");
  const auto& ports = v.at("ports").as_array();
  ASSERT_EQ(ports.size(), 4u);
  EXPECT_EQ(ports[0].at("port").to_number<int>(), open);
  EXPECT_EQ(ports[0].at("state").as_string(), "open");
  EXPECT_EQ(ports[0].at("reason").as_string(), "syn-ack");
  EXPECT_TRUE(ports[0].as_object().contains("rtt_ms"));
  EXPECT_EQ(ports[0].at("tries").to_number<int>(), 1);
  EXPECT_EQ(v.at("summary").at("open").to_number<int>(), 1);
  EXPECT_EQ(v.at("summary").at("open").to_number<int>() +
                v.at("summary").at("closed").to_number<int>() +
                v.at("summary").at("stealth").to_number<int>(),
            4);
  EXPECT_TRUE(v.contains("elapsed_ms"));
  EXPECT_TRUE(v.at("ping").is_null());
}

TEST(probe_cli, text_report_groups_by_state) {
  run_result r = run_cli("probe 127.0.0.1 --ports 1-3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("Open"), std::string::npos) << r.out;  // no heading for an empty group
  EXPECT_NE(r.out.find("Closed (3):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rst (3): 1-3"), std::string::npos) << r.out;
}

TEST(probe_cli, bad_arguments_exit_2_with_the_reason) {
  run_result r = run_cli("probe 127.0.0.1 --ports 22,,80");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("position 4"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli("probe example").status, 2);
  EXPECT_EQ(run_cli("probe 127.0.0.1 --tries 0").status, 2);
  r = run_cli("probe 0.0.0.0 --ports 80");
  EXPECT_EQ(r.status, 2);  // not a unicast address: refused before any probe
  EXPECT_NE(r.err.find("unicast"), std::string::npos) << r.err;
}

}  // namespace
