#include "probe/probers/raw_syn_prober.hpp"

#include "probe/detail/timer.hpp"
#include "probe/probers/raw_sockets.hpp"
#include "probe/wire/raw_packet.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory_resource>
#include <optional>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

error_code last_error() { return {errno, boost::system::system_category()}; }

// Tries in flight are found by the port they probe, then told apart by the number an answer
// acknowledges or quotes: their own, or (TCP only) an earlier try's of the same scan.
struct key {
  raw::ip_bytes target;
  std::uint16_t port = 0;
  friend bool operator==(const key&, const key&) = default;
};

// Salted with a random number of the prober's own (mix64): visitors choose the ports, and must
// not be able to tell which ones share a bucket. Three lookups a try, so not SipHash.
struct key_hash {
  std::uint64_t salt = 0;
  std::size_t operator()(const key& k) const noexcept {
    std::uint64_t high = 0, low = 0;
    std::memcpy(&high, k.target.b.data(), 8);
    std::memcpy(&low, k.target.b.data() + 8, 8);
    std::uint64_t h = mix64(mix64(high ^ salt) ^ low);
    return static_cast<std::size_t>(mix64(h ^ (std::uint64_t{k.port} << 1 | k.target.v6)));
  }
};

// Series of the tries that come without a scan count up from here; a scan's must be below.
constexpr std::uint64_t own_series = std::uint64_t{1} << 47;

probe_outcome failed(error_code ec, operation op, const asio::ip::address& target,
                     std::uint16_t port, bool transient = false) {
  probe_outcome o;
  o.what = probe_outcome::kind::failed;
  o.error = failure{ec, op, fmt::format("port {} of {}", port, target.to_string())};
  o.transient = transient;
  return o;
}

// What a refused send means for the scan: as for a failed connect() in the other backend.
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

// A try in flight, in a slot that is reused once the try has reported or been cancelled:
// no allocation per try once the slots exist. The generation tells a reused slot's try from
// the one a late handle or deadline names. A try that asked to linger stays in its slot past
// its timeout, reported silent, until its answer comes or the linger ends.
struct waiter {
  enum class stage : std::uint8_t { free, waiting, lingering, failing };
  stage now = stage::free;
  std::uint32_t generation = 0;
  raw_family* fam = nullptr;
  probe_sink* sink = nullptr;
  probe_tag tag = 0;
  time_point sent;
  raw::syn_fields syn;  // what an answer must match, field for field
  // The number of the scan's first try of the port, and how many it sent before this one:
  // the numbers of those (raw::nth_sequence), whose answers this try takes too.
  std::uint32_t first_seq = 0;
  std::uint32_t earlier = 0;
  duration linger{};
};

// When a try gives up: every try waits in one heap, behind one timer, not a timer each.
// Entries of tries that ended earlier stay until they come up and are skipped then.
struct deadline {
  time_point at;
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  friend bool operator>(const deadline& a, const deadline& b) { return a.at > b.at; }
};

// Datagrams read per recvmmsg(): a burst of answers costs one call, not one call each.
constexpr std::size_t receive_batch = 32;
constexpr std::size_t receive_size = 2048;

// A SYN waiting for the flush at the end of the event loop's turn: the tries a scan (or every
// scan woken in one tick) starts together leave in one sendmmsg() per family.
struct outgoing {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  duration timeout{};
  std::array<std::uint8_t, raw::syn_size> syn{};
  asio::ip::udp::endpoint to;  // the port must be 0: the SYN carries it
};
constexpr std::size_t send_batch = 64;

struct send_buffers {
  std::array<iovec, send_batch> iov{};
  std::array<mmsghdr, send_batch> msgs{};
};

struct receive_buffers {
  std::array<std::array<std::uint8_t, receive_size>, receive_batch> data{};
  std::array<iovec, receive_batch> iov{};
  std::array<sockaddr_storage, receive_batch> from{};
  std::array<mmsghdr, receive_batch> msgs{};
};

probe_handle handle_of(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<probe_handle>(generation) << 32) | slot;
}

}  // namespace

struct raw_syn_prober::state {
  state(asio::any_io_executor e, const siphash_key& isn, std::uint64_t buckets)
      : ex(e),
        v4(e, false),
        v6(e, true),
        pending(64, key_hash{buckets}, {}, &pool),
        timeouts(e),
        isn_key(isn) {}

  asio::any_io_executor ex;
  raw_family v4;
  raw_family v6;
  bool has_v6 = false;
  std::vector<waiter> waiters;
  std::vector<std::uint32_t> free_slots;
  // The map's nodes come from a pool that keeps them for reuse (steady state: no malloc).
  std::pmr::unsynchronized_pool_resource pool;
  std::pmr::unordered_multimap<key, std::uint32_t, key_hash> pending;
  std::vector<deadline> deadlines;  // a min-heap on `at`
  timer timeouts;
  bool timeouts_busy = false;  // an async_wait on `timeouts` is outstanding
  time_point timeouts_at{};    // what it waits for
  std::unique_ptr<receive_buffers> rx = std::make_unique<receive_buffers>();
  std::unique_ptr<send_buffers> tx = std::make_unique<send_buffers>();
  std::vector<outgoing> outbox;   // started, not yet sent
  std::vector<outgoing> sending;  // the outbox being flushed (both keep their capacity)
  // The source address the kernel picks for each target (its route), looked up once a while.
  std::map<asio::ip::address, std::pair<raw::ip_bytes, time_point>> sources;
  // Sequence numbers: a keyed hash of the SYN's fields and the try's series, stepped for
  // each later try of the port (raw::nth_sequence). The key comes from the kernel's CSPRNG
  // and never leaves this process.
  siphash_key isn_key{};
  std::uint64_t next_own_series = own_series;

  std::uint32_t take_slot() {
    if (free_slots.empty()) {
      waiters.emplace_back();
      return static_cast<std::uint32_t>(waiters.size() - 1);
    }
    std::uint32_t slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  }

  waiter* live(probe_handle h) {
    auto slot = static_cast<std::uint32_t>(h);
    if (slot >= waiters.size()) return nullptr;
    waiter& w = waiters[slot];
    if (w.now == waiter::stage::free || w.generation != static_cast<std::uint32_t>(h >> 32)) {
      return nullptr;
    }
    return &w;
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

void stop_reading(raw_family& f) {
  error_code ec;
  f.tcp.cancel(ec);
  f.icmp.cancel(ec);
}

// Frees the try's slot; once nothing waits, the sockets stop being read and the timer stops,
// so that an idle prober leaves its io_context without work.
void release(state& st, std::uint32_t slot) {
  waiter& w = st.waiters[slot];
  if (w.now == waiter::stage::waiting || w.now == waiter::stage::lingering) {
    auto [first, last] = st.pending.equal_range(key{w.syn.target, w.syn.target_port});
    auto it = std::find_if(first, last, [slot](const auto& kv) { return kv.second == slot; });
    if (it != last) st.pending.erase(it);
    if (--w.fam->waiting == 0) stop_reading(*w.fam);
    if (st.v4.waiting + st.v6.waiting == 0) {
      st.deadlines.clear();
      if (st.timeouts_busy) st.timeouts.cancel();
    }
  }
  w.now = waiter::stage::free;
  ++w.generation;
  st.free_slots.push_back(slot);
}

// The try in `slot` ended, or (a lingering try's answer) came `late`: its slot is freed
// first, as the sink may start or cancel others.
void report(state& st, std::uint32_t slot, const probe_outcome& o, bool late = false) {
  probe_sink* sink = st.waiters[slot].sink;
  probe_tag tag = st.waiters[slot].tag;
  release(st, slot);
  if (late) {
    sink->late(tag, o);
  } else {
    sink->finished(tag, o);
  }
}

// An answer came for a port: hand it to the try of that port in stage `at` it matches in every
// field `matches` checks, if there is one (a forgery matches none, and changes nothing; a late
// answer to a try that has given up and no longer lingers finds it gone).
template <class Matches>
bool settle(state& st, const key& k, waiter::stage at, Matches matches, probe_outcome o) {
  auto [first, last] = st.pending.equal_range(k);
  for (auto it = first; it != last; ++it) {
    std::uint32_t slot = it->second;
    const waiter& w = st.waiters[slot];
    if (w.now != at || !matches(w)) continue;
    o.what = probe_outcome::kind::answered;
    o.rtt = clock::now() - w.sent;
    report(st, slot, o, at == waiter::stage::lingering);
    return true;
  }
  return false;
}

// Whether `a` answers one of the SYNs that `w`'s scan sent the same port before `w`'s. Such
// an answer still tells what the port is; it comes when the port's first answer was lost:
// the target sends its SYN-ACK again a second later, and Linux, still holding that SYN
// half-open, answers a new SYN on the same ports with a bare ACK of the old number.
bool answers_earlier(const waiter& w, const raw::tcp_answer& a) {
  std::uint32_t k = raw::sequence_index(w.first_seq, a.ack - 1);
  if (k >= w.earlier) return false;
  raw::syn_fields f = w.syn;
  f.seq = raw::nth_sequence(w.first_seq, k);
  return raw::answers(a, f);
}

reason reason_of(raw::tcp_answer::kind k) {
  switch (k) {
    case raw::tcp_answer::kind::syn_ack: return reason::syn_ack;
    case raw::tcp_answer::kind::reset: return reason::rst;
    case raw::tcp_answer::kind::ack: return reason::ack;
  }
  return reason::rst;
}

void on_tcp(state& st, const raw_family& f, std::span<const std::uint8_t> data,
            const sockaddr& from) {
  std::optional<raw::tcp_answer> a;
  if (f.v6) {
    raw::ip_bytes src;
    src.v6 = true;
    std::memcpy(src.b.data(), &reinterpret_cast<const sockaddr_in6&>(from).sin6_addr, 16);
    a = raw::parse_tcp_v6(data, src);
  } else {
    a = raw::parse_tcp_v4(data);
  }
  if (!a || a->to_port != f.port) return;
  probe_outcome o;
  o.why = reason_of(a->what);
  // A bare ACK is drawn by a later SYN than the one it acknowledges (the hedged second try,
  // say, while the first still waits): its time is not the round trip of the try it names.
  o.timed = a->what != raw::tcp_answer::kind::ack;
  const key k{a->from, a->from_port};
  using enum waiter::stage;
  auto exact = [&a](const waiter& w) { return raw::answers(*a, w.syn); };
  if (settle(st, k, waiting, exact, o)) return;
  // A try still waiting takes an answer to an earlier try of its port before that try, if it
  // lingers, hears it late: the port's verdict comes sooner. But it is no round trip of the
  // try that takes it.
  probe_outcome earlier = o;
  earlier.timed = false;
  if (settle(
          st, k, waiting, [&a](const waiter& w) { return answers_earlier(w, *a); }, earlier))
    return;
  settle(st, k, lingering, exact, o);
}

void on_icmp(state& st, const raw_family& f, std::span<const std::uint8_t> data, const sockaddr&) {
  auto a = f.v6 ? raw::parse_icmp_v6(data) : raw::parse_icmp_v4(data);
  if (!a || a->source_port != f.port) return;
  probe_outcome o;
  o.why = reason::icmp_unreachable;
  o.icmp = a->info;
  // Only the try it quotes: the scan books each error at the try that drew it, to follow
  // the target's ICMP limit, so a late error must not land on a later try. The try may still
  // wait or linger.
  const key k{a->target, a->target_port};
  auto quoted = [&a](const waiter& w) { return raw::quotes(*a, w.syn); };
  if (!settle(st, k, waiter::stage::waiting, quoted, o)) {
    settle(st, k, waiter::stage::lingering, quoted, o);
  }
}

using handler = void (*)(state&, const raw_family&, std::span<const std::uint8_t>, const sockaddr&);

// Reads every answer already waiting on `s` without blocking, a batch per call. Answers come
// in bursts (a scan sends thousands of SYNs a second), and one wake-up per packet would fall
// behind. A short batch means the queue was empty: a datagram arriving after it wakes the
// read loop's next wait, which is queued before the event loop can look again.
void drain(state& st, const raw_family& f, raw_socket& s, handler h) {
  receive_buffers& rx = *st.rx;
  for (;;) {
    for (std::size_t i = 0; i < receive_batch; ++i) {
      rx.iov[i] = {rx.data[i].data(), receive_size};
      rx.msgs[i].msg_hdr = {};
      rx.msgs[i].msg_hdr.msg_iov = &rx.iov[i];
      rx.msgs[i].msg_hdr.msg_iovlen = 1;
      rx.msgs[i].msg_hdr.msg_name = &rx.from[i];
      rx.msgs[i].msg_hdr.msg_namelen = sizeof rx.from[i];
    }
    int got = ::recvmmsg(s.native_handle(), rx.msgs.data(), receive_batch, MSG_DONTWAIT, nullptr);
    if (got <= 0) return;  // EAGAIN: nothing more (or an error the next wait will report)
    auto n = static_cast<std::size_t>(got);
    for (std::size_t i = 0; i < n; ++i) {
      std::span<const std::uint8_t> data(rx.data[i].data(), rx.msgs[i].msg_len);
      h(st, f, data, reinterpret_cast<const sockaddr&>(rx.from[i]));
      if (!s.is_open()) return;
    }
    if (n < receive_batch) return;
  }
}

void drain_all(state& st) {
  for (raw_family* f : {&st.v4, &st.v6}) {
    if (f->waiting == 0 || !f->tcp.is_open()) continue;
    drain(st, *f, f->tcp, on_tcp);
    drain(st, *f, f->icmp, on_icmp);
  }
}

void start_reading(const std::shared_ptr<state>& st, raw_family& f);

// Waits for `s` to be readable and drains it, until the family has no try waiting (its waits
// are cancelled then). Answers that come while nobody reads wait in the buffer, and stale
// ones match nothing.
void read_loop(std::shared_ptr<state> st, raw_family& f, raw_socket& s, handler h) {
  s.async_wait(raw_socket::wait_read, [st, &f, &s, h](error_code ec) {
    if (ec != asio::error::operation_aborted && s.is_open()) {
      drain(*st, f, s, h);
      if (f.waiting > 0) {
        read_loop(st, f, s, h);
        return;
      }
    }
    // A try that started while the loops wound down still needs them.
    if (--f.readers == 0 && f.waiting > 0 && s.is_open()) start_reading(st, f);
  });
}

void start_reading(const std::shared_ptr<state>& st, raw_family& f) {
  if (f.readers > 0) return;
  f.readers = 2;
  read_loop(st, f, f.tcp, on_tcp);
  read_loop(st, f, f.icmp, on_icmp);
}

void arm_timeouts(const std::shared_ptr<state>& st);

// The timer is up: tries whose time has come are silent, once the answers that arrived
// behind the timer's turn in the event loop have been read.
void expire(state& st) {
  drain_all(st);
  time_point now = clock::now();
  while (!st.deadlines.empty() && st.deadlines.front().at <= now) {
    std::pop_heap(st.deadlines.begin(), st.deadlines.end(), std::greater<>{});
    deadline d = st.deadlines.back();
    st.deadlines.pop_back();
    waiter& w = st.waiters[d.slot];
    if (w.generation != d.generation) continue;
    if (w.now == waiter::stage::lingering) {
      release(st, d.slot);  // the linger is over: nothing is heard of the try any more
    } else if (w.now == waiter::stage::waiting && w.linger > duration::zero()) {
      // Silent, and heard a while longer. (The kernel resets a late SYN-ACK, as it knows no
      // such socket; the port answered all the same.)
      w.now = waiter::stage::lingering;
      st.deadlines.push_back({d.at + w.linger, d.slot, d.generation});
      std::push_heap(st.deadlines.begin(), st.deadlines.end(), std::greater<>{});
      w.sink->finished(w.tag, probe_outcome{});
    } else if (w.now == waiter::stage::waiting) {
      report(st, d.slot, probe_outcome{});  // silent
    }
  }
}

// Keeps one wait outstanding on the timer, for the earliest deadline rounded up to the next
// whole millisecond: scans send thousands of tries a second, and a wake-up (and a re-armed
// timer) for each one's timeout would cost more than the try. A silence is called at most a
// millisecond late, never early.
void arm_timeouts(const std::shared_ptr<state>& st) {
  if (st->deadlines.empty()) return;
  time_point next = next_tick(st->deadlines.front().at);
  if (st->timeouts_busy) {
    // The wait ends early (operation_aborted) and waits again for the new time.
    if (next < st->timeouts_at) {
      st->timeouts_at = next;
      st->timeouts.expires_at(next);
    }
    return;
  }
  st->timeouts_busy = true;
  st->timeouts_at = next;
  st->timeouts.expires_at(next);
  st->timeouts.async_wait([st](error_code ec) {
    st->timeouts_busy = false;
    if (!ec) expire(*st);
    arm_timeouts(st);
  });
}

// A try that could not be sent: it reports its failure from the event loop, as any try does,
// unless it is cancelled first.
probe_handle fail_later(const std::shared_ptr<state>& st, probe_sink& sink, probe_tag tag,
                        probe_outcome o) {
  std::uint32_t slot = st->take_slot();
  waiter& w = st->waiters[slot];
  w.now = waiter::stage::failing;
  w.sink = &sink;
  w.tag = tag;
  probe_handle h = handle_of(slot, w.generation);
  asio::post(sink.executor(), [st, h, o = std::move(o)] {
    if (st->live(h)) report(*st, static_cast<std::uint32_t>(h), o);
  });
  return h;
}

// The try left at `sent`: its timeout runs from then.
void mark_sent(state& st, const outgoing& out, time_point sent) {
  if (!st.live(handle_of(out.slot, out.generation))) return;  // cancelled meanwhile
  st.waiters[out.slot].sent = sent;
  st.deadlines.push_back({sent + out.timeout, out.slot, out.generation});
  std::push_heap(st.deadlines.begin(), st.deadlines.end(), std::greater<>{});
}

// Sends the queued SYNs of family `f` with as few sendmmsg() calls as the kernel allows. A
// message it refuses is that try's failure; the rest still go.
void send_family(state& st, raw_family& f, std::span<outgoing> queued) {
  send_buffers& tx = *st.tx;
  std::array<const outgoing*, send_batch> batch{};
  auto next = queued.begin();
  for (;;) {
    std::size_t n = 0;
    for (; next != queued.end() && n < send_batch; ++next) {
      if (st.waiters[next->slot].fam != &f) continue;
      if (!st.live(handle_of(next->slot, next->generation))) continue;  // cancelled unsent
      batch[n] = &*next;
      tx.iov[n] = {next->syn.data(), next->syn.size()};
      tx.msgs[n].msg_hdr = {};
      tx.msgs[n].msg_hdr.msg_iov = &tx.iov[n];
      tx.msgs[n].msg_hdr.msg_iovlen = 1;
      tx.msgs[n].msg_hdr.msg_name = next->to.data();
      tx.msgs[n].msg_hdr.msg_namelen = static_cast<socklen_t>(next->to.size());
      ++n;
    }
    std::size_t done = 0;
    while (done < n) {
      time_point sent = clock::now();
      int got = ::sendmmsg(f.tcp.native_handle(), tx.msgs.data() + done,
                           static_cast<unsigned>(n - done), MSG_DONTWAIT);
      if (got <= 0) {  // the first message failed, and errno says why
        const outgoing& out = *batch[done++];
        if (st.live(handle_of(out.slot, out.generation))) {
          report(st, out.slot,
                 send_failed(last_error(), out.to.address(), st.waiters[out.slot].syn.target_port));
        }
        continue;
      }
      for (int j = 0; j < got; ++j) mark_sent(st, *batch[done++], sent);
    }
    if (next == queued.end()) return;
  }
}

// Sends what the tries started since the last flush queued.
void flush(const std::shared_ptr<state>& st) {
  st->sending.clear();
  st->sending.swap(st->outbox);
  if (st->v4.waiting > 0) send_family(*st, st->v4, st->sending);
  if (st->v6.waiting > 0) send_family(*st, st->v6, st->sending);
  arm_timeouts(st);
}

}  // namespace

boost::system::result<std::shared_ptr<raw_syn_prober>, failure> raw_syn_prober::open(
    asio::any_io_executor ex) {
  auto isn_key = random_siphash_key();
  std::array<std::uint8_t, 8> salt_bytes{};
  error_code salt_error = fill_random(salt_bytes);
  std::uint64_t salt = 0;
  std::memcpy(&salt, salt_bytes.data(), salt_bytes.size());
  if (!isn_key || salt_error) {
    return failure{isn_key ? salt_error : isn_key.error(), operation::open_socket,
                   "random keys for sequence numbers and the table of tries"};
  }
  auto st = std::make_shared<state>(ex, *isn_key, salt);
  if (error_code ec = open_raw_family(st->v4)) {
    bool denied = ec.value() == EPERM || ec.value() == EACCES;
    return failure{denied ? make_error_code(errc::no_permission) : ec, operation::open_socket,
                   "raw IPv4 socket for SYN probes (needs root or CAP_NET_RAW)"};
  }
  error_code ec6 = open_raw_family(st->v6);
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
  for (raw_family* f : {&state_->v4, &state_->v6}) {
    f->tcp.close(ec);
    f->icmp.close(ec);
  }
  state_->timeouts.cancel();
}

probe_handle raw_syn_prober::start(const probe_try& t, probe_sink& sink) {
  state& st = *state_;
  raw_family& f = t.target.is_v6() ? st.v6 : st.v4;
  if (!f.tcp.is_open()) {
    return fail_later(state_, sink, t.tag,
                      failed(asio::error::address_family_not_supported, operation::open_socket,
                             t.target, t.port));
  }
  auto source = st.source_for(t.target);
  if (!source) {
    bool no_route = source.error() == asio::error::network_unreachable ||
                    source.error() == asio::error::host_unreachable;
    return fail_later(state_, sink, t.tag,
                      failed(no_route ? make_error_code(errc::no_route) : source.error(),
                             operation::connect, t.target, t.port));
  }
  if (t.series >= own_series) throw std::invalid_argument("probe_try::series out of range");
  raw::syn_fields fields{*source, raw::to_bytes(t.target), f.port, t.port, 0};
  const std::uint64_t series = t.series != 0 ? t.series : st.next_own_series++;
  const std::uint32_t first_seq = raw::syn_sequence(st.isn_key, fields, series);
  fields.seq = raw::nth_sequence(first_seq, t.earlier);

  std::uint32_t slot = st.take_slot();
  waiter& w = st.waiters[slot];
  w.now = waiter::stage::waiting;
  w.fam = &f;
  w.sink = &sink;
  w.tag = t.tag;
  w.sent = clock::now();  // set again as it leaves
  w.syn = fields;
  w.first_seq = first_seq;
  w.earlier = t.earlier;
  w.linger = t.linger;
  st.pending.emplace(key{fields.target, t.port}, slot);
  ++f.waiting;
  start_reading(state_, f);

  outgoing& out = st.outbox.emplace_back();
  out.slot = slot;
  out.generation = w.generation;
  out.timeout = t.timeout;
  out.syn = raw::build_syn(fields);
  // The kernel adds the IP header; the port in the address must be 0 for raw IPv6 sockets.
  out.to = asio::ip::udp::endpoint(t.target, 0);
  if (st.outbox.size() == 1) asio::post(st.ex, [st = state_] { flush(st); });
  return handle_of(slot, w.generation);
}

void raw_syn_prober::cancel(probe_handle h) noexcept {
  if (state_->live(h)) release(*state_, static_cast<std::uint32_t>(h));
}

}  // namespace breakwater::probe
