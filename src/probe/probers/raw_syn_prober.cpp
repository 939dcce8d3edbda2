// The raw SYN prober's sending half: starts tries in slots, sends their SYNs in batches, and
// calls the silent ones at their deadlines (or keeps them lingering). Answers are read in
// detail/raw_syn_receive.cpp.
#include "probe/probers/raw_syn_prober.hpp"

#include "probe/probers/detail/raw_syn_state.hpp"

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <span>
#include <stdexcept>

namespace breakwater::probe {
namespace raw_syn_detail {
namespace {

error_code last_error() { return {errno, boost::system::system_category()}; }

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

void stop_reading(raw_family& f) {
  error_code ec;
  f.tcp.cancel(ec);
  f.icmp.cancel(ec);
}

}  // namespace

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

void report(state& st, std::uint32_t slot, const probe_outcome& o, bool late) {
  probe_sink* sink = st.waiters[slot].sink;
  probe_tag tag = st.waiters[slot].tag;
  release(st, slot);
  if (late) {
    sink->late(tag, o);
  } else {
    sink->finished(tag, o);
  }
}

namespace {

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
      probe_outcome silent;
      silent.still_heard = true;
      w.sink->finished(w.tag, silent);
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
}  // namespace raw_syn_detail

using namespace raw_syn_detail;

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
