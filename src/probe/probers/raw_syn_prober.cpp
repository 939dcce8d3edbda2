#include "probe/probers/raw_syn_prober.hpp"

#include "probe/detail/timer.hpp"
#include "probe/wire/raw_packet.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using raw_socket = asio::basic_raw_socket<asio::generic::raw_protocol>;

error_code last_error() { return {errno, boost::system::system_category()}; }

// A probe in flight: what its answer will be matched on, and where it waits.
struct key {
  raw::ip_bytes target;
  std::uint16_t port = 0;
  std::uint32_t seq = 0;
  friend bool operator==(const key&, const key&) = default;
};

struct key_hash {
  std::size_t operator()(const key& k) const noexcept {
    std::size_t h = 14695981039346656037ull;  // FNV-1a
    auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    for (std::uint8_t b : k.target.b) mix(b);
    mix(k.port);
    mix(k.seq);
    return h;
  }
};

struct waiter {
  timer* wake = nullptr;
  time_point sent;
  raw::syn_fields syn;  // what an answer must match, field for field
  std::optional<probe_outcome> answer;
};

struct family {
  bool v6 = false;
  raw_socket tcp;
  raw_socket icmp;
  int reservation = -1;  // a TCP socket bound to our source port: the kernel lends it to nobody
  std::uint16_t port = 0;
  // Read only while probes wait, so that an idle prober leaves its io_context without work.
  std::size_t waiting = 0;  // probes of this family in flight
  unsigned readers = 0;     // read loops running (two while reading)

  family(asio::any_io_executor ex, bool is_v6) : v6(is_v6), tcp(ex), icmp(ex) {}
  ~family() {
    if (reservation >= 0) ::close(reservation);
  }
};

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

error_code reserve_port(family& f) {
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

error_code open_family(family& f) {
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

probe_outcome failed(error_code ec, operation op, const asio::ip::address& target,
                     std::uint16_t port, bool transient = false) {
  probe_outcome o;
  o.what = probe_outcome::kind::failed;
  o.error = failure{ec, op, fmt::format("port {} of {}", port, target.to_string())};
  o.transient = transient;
  return o;
}

// What a failed sendto() means for the scan: as for a failed connect() in the other backend.
probe_outcome send_failed(error_code ec, const asio::ip::address& target, std::uint16_t port) {
  int e = ec.value();
  if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == ENOMEM) {
    return failed(ec, operation::send, target, port, true);
  }
  if (e == ENETUNREACH || e == EHOSTUNREACH) {
    return failed(make_error_code(errc::no_route), operation::send, target, port);
  }
  if (e == EPERM || e == EACCES) {
    return failed(make_error_code(errc::no_permission), operation::send, target, port);
  }
  return failed(ec, operation::send, target, port);
}

}  // namespace

struct raw_syn_prober::state {
  explicit state(asio::any_io_executor e) : ex(e), v4(e, false), v6(e, true) {}

  asio::any_io_executor ex;
  family v4;
  family v6;
  bool has_v6 = false;
  std::unordered_map<key, waiter*, key_hash> pending;
  // The source address the kernel picks for each target (its route), looked up once a while.
  std::map<asio::ip::address, std::pair<raw::ip_bytes, time_point>> sources;
  // Sequence numbers: a keyed hash of the SYN's fields and a count (see raw::syn_sequence).
  // The key comes from the kernel's CSPRNG and never leaves this process.
  siphash_key isn_key{};
  std::uint64_t nonce = 0;

  // An answer came for `k`: hand it to the try waiting for it, if any still is and the answer
  // matches its SYN in every field `matches` checks (a forgery does not, and changes nothing).
  template <class Matches>
  void settle(const key& k, Matches matches, probe_outcome o) {
    auto it = pending.find(k);
    if (it == pending.end()) return;  // a late answer to a try that has given up, or noise
    waiter* w = it->second;
    if (!matches(w->syn)) return;
    pending.erase(it);
    o.what = probe_outcome::kind::answered;
    o.rtt = clock::now() - w->sent;
    w->answer = o;
    w->wake->cancel();
  }

  boost::system::result<raw::ip_bytes> source_for(const asio::ip::address& target) {
    time_point now = clock::now();
    auto it = sources.find(target);
    if (it != sources.end() && now - it->second.second < std::chrono::seconds(10)) {
      return it->second.first;
    }
    // connect() on a UDP socket sends nothing; it only asks the routing table.
    asio::ip::udp::socket s(ex);
    error_code ec;
    s.open(target.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec) s.connect(asio::ip::udp::endpoint(target, 9), ec);
    if (ec) return ec;
    auto local = s.local_endpoint(ec);
    if (ec) return ec;
    if (sources.size() > 4096) sources.clear();
    raw::ip_bytes b = raw::to_bytes(local.address());
    sources[target] = {b, now};
    return b;
  }
};

namespace {

using state = raw_syn_prober::state;

void on_tcp(state& st, const family& f, std::span<const std::uint8_t> data,
            const raw_socket::endpoint_type& from) {
  std::optional<raw::tcp_answer> a;
  if (f.v6) {
    raw::ip_bytes src;
    src.v6 = true;
    const auto* sa = reinterpret_cast<const sockaddr_in6*>(from.data());
    std::memcpy(src.b.data(), &sa->sin6_addr, 16);
    a = raw::parse_tcp_v6(data, src);
  } else {
    a = raw::parse_tcp_v4(data);
  }
  if (!a || a->to_port != f.port) return;
  probe_outcome o;
  o.why = a->syn_ack ? reason::syn_ack : reason::rst;
  st.settle(
      key{a->from, a->from_port, a->ack - 1},
      [&a](const raw::syn_fields& syn) { return raw::answers(*a, syn); }, o);
}

void on_icmp(state& st, const family& f, std::span<const std::uint8_t> data,
             const raw_socket::endpoint_type&) {
  auto a = f.v6 ? raw::parse_icmp_v6(data) : raw::parse_icmp_v4(data);
  if (!a || a->source_port != f.port) return;
  probe_outcome o;
  o.why = reason::icmp_unreachable;
  o.icmp = a->info;
  st.settle(
      key{a->target, a->target_port, a->seq},
      [&a](const raw::syn_fields& syn) { return raw::quotes(*a, syn); }, o);
}

using handler = void (*)(state&, const family&, std::span<const std::uint8_t>,
                         const raw_socket::endpoint_type&);

void start_reading(const std::shared_ptr<state>& st, family& f);

// Reads every answer already waiting on `s` without blocking. Answers come in bursts (a scan
// sends thousands of SYNs a second), and one wake-up per packet would fall behind.
void drain(state& st, const family& f, raw_socket& s, handler h) {
  std::array<std::uint8_t, 2048> buf{};
  raw_socket::endpoint_type from;
  for (;;) {
    socklen_t len = static_cast<socklen_t>(from.capacity());
    ssize_t n =
        ::recvfrom(s.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT, from.data(), &len);
    if (n < 0) return;  // EAGAIN: nothing more (or an error the next wait will report)
    from.resize(len);
    h(st, f, std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)), from);
  }
}

void drain_all(state& st, family& f) {
  if (!f.tcp.is_open()) return;
  drain(st, f, f.tcp, on_tcp);
  drain(st, f, f.icmp, on_icmp);
}

// Reads one socket until the family has no probe waiting (its reads are cancelled then).
// async_receive_from reads at once when data waits, so no answer is left unseen in the buffer;
// answers that come while nobody reads wait there, and stale ones match nothing.
asio::awaitable<void> read_loop(std::shared_ptr<state> st, family& f, raw_socket& s, handler h) {
  std::array<std::uint8_t, 2048> buf{};
  raw_socket::endpoint_type from;
  while (f.waiting > 0) {
    auto [ec, n] =
        co_await s.async_receive_from(asio::buffer(buf), from, asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !s.is_open()) break;
    if (ec) continue;  // e.g. a truncated datagram: nothing of ours
    h(*st, f, std::span<const std::uint8_t>(buf.data(), n), from);
    drain(*st, f, s, h);
  }
  // A probe that started while the loops wound down still needs them.
  if (--f.readers == 0 && f.waiting > 0 && s.is_open()) start_reading(st, f);
}

void start_reading(const std::shared_ptr<state>& st, family& f) {
  if (f.readers > 0) return;
  f.readers = 2;
  asio::co_spawn(st->ex, read_loop(st, f, f.tcp, on_tcp), asio::detached);
  asio::co_spawn(st->ex, read_loop(st, f, f.icmp, on_icmp), asio::detached);
}

void stop_reading(family& f) {
  error_code ec;
  f.tcp.cancel(ec);
  f.icmp.cancel(ec);
}

}  // namespace

boost::system::result<std::shared_ptr<raw_syn_prober>, failure> raw_syn_prober::open(
    asio::any_io_executor ex) {
  auto st = std::make_shared<state>(ex);
  auto isn_key = random_siphash_key();
  if (!isn_key) {
    return failure{isn_key.error(), operation::open_socket, "random key for sequence numbers"};
  }
  st->isn_key = *isn_key;
  if (error_code ec = open_family(st->v4)) {
    bool denied = ec.value() == EPERM || ec.value() == EACCES;
    return failure{denied ? make_error_code(errc::no_permission) : ec, operation::open_socket,
                   "raw IPv4 socket for SYN probes (needs root or CAP_NET_RAW)"};
  }
  error_code ec6 = open_family(st->v6);
  st->has_v6 = !ec6;
  if (ec6) {
    // No IPv6 on this host: IPv4 targets are still probed; IPv6 ones fail with the reason.
    st->v6.tcp.close(ec6);
    st->v6.icmp.close(ec6);
  }
  return std::make_shared<raw_syn_prober>(std::move(st));
}

raw_syn_prober::~raw_syn_prober() {
  error_code ec;
  for (family* f : {&state_->v4, &state_->v6}) {
    f->tcp.close(ec);
    f->icmp.close(ec);
  }
}

asio::awaitable<probe_outcome> raw_syn_prober::probe(asio::ip::address target, std::uint16_t port,
                                                     duration timeout) {
  std::shared_ptr<state> st = state_;  // the sockets outlive this try
  family& f = target.is_v6() ? st->v6 : st->v4;
  if (!f.tcp.is_open()) {
    co_return failed(asio::error::address_family_not_supported, operation::open_socket, target,
                     port);
  }
  auto source = st->source_for(target);
  if (!source) {
    co_return source.error() == asio::error::network_unreachable ||
            source.error() == asio::error::host_unreachable
        ? failed(make_error_code(errc::no_route), operation::connect, target, port)
        : failed(source.error(), operation::connect, target, port);
  }
  raw::syn_fields fields{*source, raw::to_bytes(target), f.port, port, 0};
  key k{fields.target, port, 0};
  do {  // two tries of one port at once must not share a number (rare: 1 in 2^32)
    k.seq = raw::syn_sequence(st->isn_key, fields, st->nonce++);
  } while (st->pending.contains(k));
  fields.seq = k.seq;
  auto syn = raw::build_syn(fields);

  timer wake(co_await asio::this_coro::executor);
  wake.expires_after(timeout);
  waiter w{&wake, clock::now(), fields, std::nullopt};
  // The kernel adds the IP header; the port in the address must be 0 for raw IPv6 sockets.
  asio::ip::udp::endpoint dst(target, 0);
  if (::sendto(f.tcp.native_handle(), syn.data(), syn.size(), MSG_DONTWAIT, dst.data(),
               static_cast<socklen_t>(dst.size())) < 0) {
    co_return send_failed(last_error(), target, port);
  }
  st->pending.emplace(k, &w);
  ++f.waiting;
  start_reading(st, f);
  // Whatever ends the wait (answer, timeout, cancellation), the entry goes with this frame.
  struct forget {
    state* s;
    family* f;
    const key* k;
    waiter* w;
    ~forget() {
      auto it = s->pending.find(*k);
      if (it != s->pending.end() && it->second == w) s->pending.erase(it);
      if (--f->waiting == 0) stop_reading(*f);
    }
  } guard{st.get(), &f, &k, &w};
  auto [ec] = co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
  // Timed out: an answer may be waiting in a socket buffer behind this timer's turn in the
  // event loop. Read what has arrived before calling the port silent.
  if (!w.answer && !ec) drain_all(*st, f);
  if (w.answer) co_return *w.answer;
  probe_outcome o;  // silent: a late SYN-ACK is reset by the kernel, which knows no such socket
  if (ec == asio::error::operation_aborted) o.what = probe_outcome::kind::cancelled;
  co_return o;
}

}  // namespace breakwater::probe
