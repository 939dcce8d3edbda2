// The raw SYN prober's receiving half: reads the answers on the raw TCP and ICMP sockets in
// batches and hands each to the try it answers, or drops it (a forgery, a stale answer).
#include "probe/probers/detail/raw_syn_state.hpp"

#include <algorithm>
#include <optional>
#include <span>

namespace breakwater::probe::raw_syn_detail {
namespace {

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

}  // namespace

void drain_all(state& st) {
  for (raw_family* f : {&st.v4, &st.v6}) {
    if (f->waiting == 0 || !f->tcp.is_open()) continue;
    drain(st, *f, f->tcp, on_tcp);
    drain(st, *f, f->icmp, on_icmp);
  }
}

void start_reading(const std::shared_ptr<state>& st, raw_family& f) {
  if (f.readers > 0) return;
  f.readers = 2;
  read_loop(st, f, f.tcp, on_tcp);
  read_loop(st, f, f.icmp, on_icmp);
}

}  // namespace breakwater::probe::raw_syn_detail
