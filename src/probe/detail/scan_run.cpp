#include "probe/detail/scan_run.hpp"

#include "probe/probers/ping.hpp"
#include "probe/probers/upnp.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

constexpr duration never = std::chrono::hours(24);

// A scan's series for its probers (probe_try::series): a different one for every scan in the
// process, whichever engine runs it, so that two scans never send a port the same SYN number.
std::uint64_t next_series() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}

}  // namespace

scan_run::scan_run(std::shared_ptr<engine::state> eng, scan_request request)
    : eng_(std::move(eng)),
      req_(std::move(request)),
      ex_(eng_->ex),
      rtt_(req_.options.rto),
      pace_(req_.options.rate),
      icmp_(req_.options.target_icmp_limit),
      recheck_(*this, icmp_),
      wake_(ex_),
      stop_timer_(ex_),
      cut_timer_(ex_) {
  stop_timer_.expires_after(never);
  // TCP ports first, then UDP: the verdicts come out in that order, each ascending.
  for (std::uint16_t p : req_.ports.ports()) {
    record r;
    r.port = p;
    records_.push_back(std::move(r));
  }
  for (std::uint16_t p : req_.udp_ports.ports()) {
    record r;
    r.port = p;
    r.proto = transport::udp;
    records_.push_back(std::move(r));
  }
  verdicts_.resize(records_.size());
  if (req_.options.rtt_seed) rtt_.seed(*req_.options.rtt_seed);
  // The target's limiter may not have refilled since an earlier scan: start from there.
  if (auto it = eng_->icmp_history.find(req_.target);
      it != eng_->icmp_history.end() && it->second.full_at > clock::now()) {
    icmp_.start_from(it->second.bucket);
  }
  tries_ = std::max(1u, req_.options.tries);
  tries_queued_ = tries_;
  in_flight_cap_ = scan_in_flight_cap(req_.options);
  socket_share_ = scan_lingering_share(eng_->udp_lingering_sockets);
  series_ = next_series();
}

// Every try still out is cancelled at once; the prober reports none of them any more.
void scan_run::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_timer_.cancel();
  cuts_.clear();
  cut_timer_.cancel();
  for (std::uint32_t slot = 0; slot < flights_.size(); ++slot) {
    if (flights_[slot].out) cancel_try(slot);
  }
  forget_lingering();
  wake_.cancel();
}

// The prober holds this scan as the sink of its lingering tries: they are cancelled before
// the scan ends. Their late answers could change nothing any more.
void scan_run::forget_lingering() {
  for (const lingering& l : lingering_) {
    if (l.backend != nullptr) l.backend->cancel(l.handle);
    if (l.holds_socket) --sockets_lingering_;
  }
  lingering_.clear();
}

// Once every port has its verdict, a try still out can only say what is known already (a try
// of the witness that an audit no longer needs, for one), so it is cancelled, not waited for.
void scan_run::cancel_decided_tries() {
  for (std::uint32_t slot = 0; slot < flights_.size(); ++slot) {
    if (flights_[slot].out && records_[flights_[slot].idx].decided) cancel_try(slot);
  }
}

void scan_run::cancel_tries_of(std::size_t idx) {
  for (std::uint32_t slot = 0; slot < flights_.size(); ++slot) {
    if (flights_[slot].out && flights_[slot].idx == idx) cancel_try(slot);
  }
}

// A try of a port that answered with an ICMP error may still draw one and spend a token of the
// target's: the model counts it as drawn, unseen, so that it never counts a token the target
// may have spent (the re-check's next batch waits for it; the next scan of the target starts
// from it: remember_icmp), and learns nothing of the limit from it.
void scan_run::cancel_try(std::uint32_t slot) {
  const flight& f = flights_[slot];
  const auto& v = verdicts_[f.idx];
  if (v && v->why == reason::icmp_unreachable) icmp_.consume_unseen(f.sent);
  f.backend->cancel(f.handle);
  probe_outcome cancelled;
  cancelled.what = probe_outcome::kind::cancelled;
  land(slot, cancelled);
}

// An outcome wakes the main loop when it waits for room or for tries to come back. A sleep
// until booked send slots goes on: nothing an answer changes would send sooner, and waking
// it for every answer would re-arm its timer as often.
void scan_run::wake() {
  if (!pacing_) wake_.cancel();
}

awaitable<void> scan_run::wait_wake() {
  wake_.expires_after(never);
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  auto cs = co_await asio::this_coro::cancellation_state;
  if (cs.cancelled() != asio::cancellation_type::none) stop();
}

awaitable<void> scan_run::sleep_until(time_point t) {
  wake_.expires_at(t);
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  auto cs = co_await asio::this_coro::cancellation_state;
  if (cs.cancelled() != asio::cancellation_type::none) stop();
}

awaitable<void> scan_run::stop_wait() {
  co_await stop_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<void> scan_run::drain() {
  cancel_decided_tries();
  while (in_flight_ > 0 || side_tasks_ > 0) co_await wait_wake();
  eng_->forget(wake_);
  cuts_.clear();
  cut_timer_.cancel();
}

// Waits until up to `wanted` more probes may leave; returns how many (none once the scan is
// over). While the engine-wide pace holds the scan back, its slots are booked before the
// sleep, so that scans waiting for that pace each sleep once until their own slots instead
// of all waking for every free one. Slots at most `batch_window` apart go out together, at
// the millisecond tick after the last one's time: never before a slot, and one wake-up for
// the lot, shared with every other scan whose batch falls in the same tick. Pacing is thus
// kept to the millisecond. A batch cut short by `max_batch` (a rate above 64 a millisecond)
// goes at its last slot, so that the tick does not cap the rate.
awaitable<std::size_t> scan_run::wait_send_slots(std::size_t wanted) {
  constexpr duration batch_window = std::chrono::milliseconds(1);
  constexpr std::size_t max_batch = 64;
  for (;;) {
    if (!live()) co_return 0;
    time_point now = clock::now();
    if (now < backoff_until_) {
      co_await sleep_until(backoff_until_);
      continue;
    }
    const std::size_t cap = in_flight_cap_;
    if (in_flight_ >= cap) {
      co_await wait_wake();
      continue;
    }
    if (!eng_->has_room()) {
      eng_->wait_for_room(wake_);
      co_await wait_wake();
      continue;
    }
    const std::size_t n = std::min({wanted, cap - in_flight_, eng_->room(), max_batch});
    const time_point own_first = pace_.earliest(now);
    std::size_t booked = 0;
    time_point first{};
    time_point last{};
    while (booked < n) {
      time_point own = pace_.earliest(now);
      time_point shared = eng_->pace.earliest(now);
      // The engine-wide pace is booked only at its own next free slot: booked for a later
      // time (this scan's own pace holding it), it would lose the slots in between, which
      // other scans could have used.
      if (own > shared) break;
      if (booked > 0 && shared - first > batch_window) break;
      if (booked == 0) first = shared;
      pace_.commit(shared);
      eng_->pace.commit(shared);
      last = shared;
      ++booked;
    }
    if (booked == 0) {  // this scan's own pace holds it: sleep until its slot, then book
      co_await sleep_paced(next_tick(pace_.earliest(now)));
      continue;
    }
    // The engine-wide pace, not this scan's own, set the time: the scan waits for slots
    // others take. A scan whose target's limit is spent counts too. Two spent scans then each
    // hold while the other sends; counting neither made the 20-visitor bench slower (2.80-2.95
    // s against 2.79-2.81 s): the scans spent at once then all sent their unclean tries.
    if (first > own_first) {
      eng_->held.note(now);
      held_.note(now);
    }
    if (last > now) co_await sleep_paced(booked == max_batch ? last : next_tick(last));
    co_return live() ? booked : 0;
  }
}

awaitable<void> scan_run::sleep_paced(time_point t) {
  pacing_ = true;
  while (live() && clock::now() < t) co_await sleep_until(t);
  pacing_ = false;
}

void scan_run::launch(std::size_t idx, duration timeout, phase ph) {
  record& r = records_[idx];
  ++r.tries;
  ++in_flight_;
  eng_->acquire();
  const duration h = req_.options.rto.hedge;
  if (ph == phase::main && !rtt_.measured() && r.tries < tries_ && h > duration::zero() &&
      h < timeout) {
    hedges_.push_back({clock::now() + h, idx});
  }
  bool udp = r.proto == transport::udp;
  prober& backend = udp ? *eng_->options.udp_backend : *eng_->options.backend;
  std::uint32_t slot = 0;
  if (free_flights_.empty()) {
    slot = static_cast<std::uint32_t>(flights_.size());
    flights_.emplace_back();
  } else {
    slot = free_flights_.back();
    free_flights_.pop_back();
  }
  flight& f = flights_[slot];
  f.idx = idx;
  f.sent = clock::now();
  f.try_number = r.tries;  // which try this is, whatever is launched after it
  f.ph = ph;
  f.backend = &backend;
  f.out = true;
  // A UDP try is never cut to the measured timeout: a service may think before it answers
  // (a resolver asks upstream), and an answer being gathered must not be called silence.
  f.unmeasured = !rtt_.measured() && !udp;
  if (udp && sockets_lingering_ >= socket_share_) purge_lingering(clock::now());
  f.lingers = backend.lingers() && (!udp || sockets_lingering_ < socket_share_);
  f.holds_socket = f.lingers && udp;
  if (f.holds_socket) ++sockets_lingering_;
  const probe_tag tag = tag_of(slot);
  try {
    f.earlier = r.started++;
    const duration linger = f.lingers ? late_answer_linger : duration::zero();
    probe_handle handle =
        backend.start({req_.target, r.port, timeout, tag, series_, f.earlier, linger}, *this);
    flights_[slot].handle = handle;
  } catch (...) {
    // A backend that throws is a programming error; end the scan with a failure, not a hang.
    probe_outcome o;
    o.what = probe_outcome::kind::failed;
    o.error = failure{make_error_code(errc::local_failure), operation::none, "probe backend"};
    land(slot, o);
  }
}

void scan_run::finished(probe_tag tag, const probe_outcome& o) {
  auto slot = static_cast<std::uint32_t>(tag);
  if (slot >= flights_.size()) return;
  const flight& f = flights_[slot];
  if (!f.out || f.generation != static_cast<std::uint32_t>(tag >> 32)) {
    // A try cut short (cut_due_tries) answering before its own timeout.
    if (o.what == probe_outcome::kind::answered) late(tag, o);
    return;
  }
  if (o.what == probe_outcome::kind::silent && o.still_heard) linger(slot);
  land(slot, o);
}

// The try in `slot`, taken for silent, is heard until late_answer_linger from now; then it
// is cancelled, so that no try the scan forgot can still report to it.
void scan_run::linger(std::uint32_t slot) {
  flight& f = flights_[slot];
  const time_point now = clock::now();
  purge_lingering(now);
  lingering_.push_back({tag_of(slot), f.backend, f.handle, f.idx, f.sent, now + late_answer_linger,
                        f.try_number, f.ph, f.holds_socket});
  f.holds_socket = false;  // the lingering entry holds it now
}

void scan_run::purge_lingering(time_point now) {
  while (!lingering_.empty() && lingering_.front().until <= now) {
    const lingering& l = lingering_.front();
    if (l.backend != nullptr) l.backend->cancel(l.handle);
    if (l.holds_socket) --sockets_lingering_;
    lingering_.pop_front();
  }
}

// A try taken for silent was answered after all: the silence it left is none.
void scan_run::late(probe_tag tag, const probe_outcome& o) {
  // From the newest: a stall's late answers are those of the tries it made silent last.
  auto rit = std::find_if(lingering_.rbegin(), lingering_.rend(), [tag](const lingering& l) {
    return l.tag == tag && l.backend != nullptr;
  });
  if (rit == lingering_.rend()) return;
  const lingering l = *rit;
  rit->backend = nullptr;  // heard: nothing to cancel, and its socket is closed
  if (rit->holds_socket) --sockets_lingering_;
  rit->holds_socket = false;
  if (!live() || o.what != probe_outcome::kind::answered) return;
  auto& silent = records_[l.idx].silent_at;
  if (auto s = std::find(silent.begin(), silent.end(), l.sent); s != silent.end()) silent.erase(s);
  take_answer(l.idx, l.sent, l.try_number, o, l.ph, true);
  wake();
}

// The try in `slot` is back: its slot is free before the outcome is looked at.
void scan_run::land(std::uint32_t slot, const probe_outcome& o) {
  flight f = flights_[slot];
  if (f.holds_socket) --sockets_lingering_;  // over, not lingering (linger() took it else)
  flights_[slot].holds_socket = false;
  flights_[slot].out = false;
  ++flights_[slot].generation;
  free_flights_.push_back(slot);
  // A try that could not be sent gives its number back, unless a later try (hedged) has
  // taken the next: a port that keeps failing to send must not run past the earlier tries a
  // prober keeps (probe_try::earlier).
  record& r = records_[f.idx];
  if (o.what == probe_outcome::kind::failed && o.transient && f.earlier + 1 == r.started) {
    --r.started;
  }
  on_outcome(f.idx, f.sent, f.try_number, o, f.ph);
}

// Tries sent before any round trip was measured wait the conservative initial timeout; once
// the first answer comes back they are held only to the measured timeout instead, and given
// up for silent by then.
void scan_run::hold_to_measured_timeout() {
  for (std::uint32_t slot = 0; slot < flights_.size(); ++slot) {
    const flight& f = flights_[slot];
    if (!f.out || !f.unmeasured) continue;
    cuts_.push_back({f.sent + rtt_.timeout_for_try(f.try_number), slot, f.generation});
  }
  std::sort(cuts_.begin(), cuts_.end(), [](const cut& a, const cut& b) { return a.at > b.at; });
  arm_cuts();
}

void scan_run::arm_cuts() {
  if (cuts_.empty()) return;
  cut_timer_.expires_at(cuts_.back().at);
  cut_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->cut_due_tries();
  });
}

void scan_run::cut_due_tries() {
  time_point now = clock::now();
  while (!cuts_.empty() && cuts_.back().at <= now) {
    cut c = cuts_.back();
    cuts_.pop_back();
    const flight& f = flights_[c.slot];
    if (!f.out || f.generation != c.generation) continue;  // back already
    // Silent by the measured timeout; a prober that can still hear it keeps it out.
    if (f.lingers) {
      linger(c.slot);
    } else {
      f.backend->cancel(f.handle);
    }
    land(c.slot, probe_outcome{});
  }
  arm_cuts();
}

void scan_run::enqueue(std::size_t idx, bool front) {
  record& r = records_[idx];
  if (r.queued || r.decided) return;
  r.queued = true;
  if (front) {
    queue_.push_front(idx);
  } else {
    queue_.push_back(idx);
  }
}

// Hedged tries fall due while the previous try still listens; once a round trip has been
// measured the ordinary timeouts take over and pending hedges lapse.
void scan_run::release_due_hedges(time_point now) {
  while (!hedges_.empty() && hedges_.front().at <= now) {
    std::size_t idx = hedges_.front().idx;
    hedges_.pop_front();
    if (!rtt_.measured() && records_[idx].tries < tries_) enqueue(idx);
  }
  if (rtt_.measured()) hedges_.clear();
}

// A try's timeout in the main pass. Unmeasured, every try waits the initial timeout without
// backing off: its predecessors are still listening, so nothing is cut short.
duration scan_run::main_timeout(const record& r) const {
  if (!rtt_.measured() && req_.options.rto.hedge > duration::zero()) return rtt_.rto();
  return rtt_.timeout_for_try(r.tries + 1);
}

awaitable<void> scan_run::main_pass() {
  for (std::size_t i = 0; i < records_.size(); ++i) enqueue(i);
  for (;;) {
    if (!live()) break;
    release_due_hedges(clock::now());
    if (queue_.empty() && in_flight_ == 0 && tries_ > tries_queued_) {
      // Ports that ran out of tries before the loss was seen get the tries it asks for now.
      tries_queued_ = tries_;
      for (std::size_t i = 0; i < records_.size(); ++i) {
        if (records_[i].tries < tries_) enqueue(i);
      }
    }
    if (!queue_.empty()) {
      time_point now = clock::now();
      if (auto until = yield_until(now)) {
        co_await sleep_until(*until);
        yielded_ += clock::now() - now;
        continue;
      }
      std::size_t slots = co_await wait_send_slots(queue_.size());
      if (slots == 0) break;
      for (; slots > 0 && !queue_.empty(); --slots) {
        std::size_t idx = queue_.front();
        queue_.pop_front();
        records_[idx].queued = false;
        if (records_[idx].decided) continue;  // answered while waiting for its hedged try
        if (retry_would_be_hidden(records_[idx])) continue;  // the re-check takes it
        launch(idx, main_timeout(records_[idx]), phase::main);
      }
      continue;
    }
    if (in_flight_ == 0) break;
    if (hedges_.empty()) {
      co_await wait_wake();
    } else {
      co_await sleep_until(hedges_.front().at);
    }
  }
}

// A retry sent while the target's ICMP limit is spent could not tell a hidden error from
// silence, so it would only be repeated by the ICMP re-check, which waits for the limit to
// refill and then sends each suspect every try it lacks. Send it there, once.
bool scan_run::retry_would_be_hidden(const record& r) {
  return r.tries > 0 && limit_spent(clock::now());
}

// When the target's ICMP limit, as modelled, holds the spare token a clean silence needs
// again (`now` or earlier if it does; always so without a re-check to hand the doubt to).
time_point scan_run::spent_until(time_point now) const {
  if (icmp_.untouched() || req_.options.recheck_budget <= duration::zero()) return now;
  return icmp_.refilled_to(icmp_clean_tokens, now);
}

bool scan_run::limit_spent(time_point now) const { return spent_until(now) > now; }

// While the target's limit is spent a try proves less: a first try's silence is not clean and
// will need a clean one later, a retry is handed to the re-check. When other scans are waiting
// for the engine-wide pace, such tries would take their slots for half the evidence; so the
// scan holds its tries until the model has refilled the margin, looking again every few
// milliseconds in case the others stop waiting. It holds in all for at most the time the
// model takes to refill the margin from empty (2 s for Linux's limit): a target that refuses
// every port with an error would otherwise hold its scan to the refill rate.
std::optional<time_point> scan_run::yield_until(time_point now) {
  constexpr duration look_again = std::chrono::milliseconds(5);
  const auto max_yield = std::chrono::duration_cast<duration>(
      std::chrono::duration<double>(icmp_.limit().refill) * icmp_clean_tokens);
  if (eng_->scans < 2 || yielded_ >= max_yield) return std::nullopt;
  const time_point spent = spent_until(now);
  if (spent <= now) return std::nullopt;
  // Only while another scan was held back by the engine-wide pace lately: else the slots
  // would go unused.
  if (eng_->held.recent(now) <= held_.recent(now)) return std::nullopt;
  return std::min(spent, now + look_again);
}

// A scan that held its tries for others shares a pace they wait for, and a re-check after its
// main pass would add a round of its own to its time (the last tries' timeout, the re-check's
// tries and theirs). So a port whose every try came back silent, fewer than two of them clean,
// gets one try more here, one at most. Two is what the re-check asks almost always
// (needed_clean_for: one only after hundreds of answers, none late; three on a lossy path), and
// where it asks otherwise it settles the port itself. A scan that never held leaves them to
// the re-check, which paces them by the target's tokens.
bool scan_run::wants_clean_try(const record& r) const {
  if (yielded_ == duration::zero() || r.tries != tries_ || icmp_.untouched()) return false;
  if (r.silent_at.size() < r.tries) return false;  // a try still out (hedged): wait for it
  unsigned clean = 0;
  for (time_point t : r.silent_at) clean += clean_silence(icmp_, t) ? 1u : 0u;
  return clean < std::min(2u, tries_);
}

void scan_run::start_side_tasks() {
  auto self = shared_from_this();
  // Echo requests and M-SEARCHes can draw ICMP errors too (UDP 1900 closed, echo rejected):
  // each one seen spends the target's limit like a TCP probe's. One that was never sent
  // (dropped request, or the limit already empty) spends nothing; a lost one is what the
  // model's margin is for.
  auto spend = [self](time_point sent) { self->icmp_.consume(sent); };
  auto finish = [self](std::exception_ptr) {
    --self->side_tasks_;
    self->wake();
  };
  using namespace asio::experimental::awaitable_operators;
  if (req_.options.ping) {
    ++side_tasks_;
    asio::co_spawn(
        ex_,
        [self, spend]() -> awaitable<void> {
          ping_options po;
          po.on_icmp_error = spend;
          auto r = co_await (ping_target(self->req_.target, po) || self->stop_wait());
          if (r.index() == 0) self->ping_ = std::get<0>(std::move(r));
        },
        finish);
  }
  if (req_.options.upnp) {
    ++side_tasks_;
    asio::co_spawn(
        ex_,
        [self, spend]() -> awaitable<void> {
          upnp_options uo;
          uo.on_icmp_error = spend;
          auto r = co_await (probe_upnp(self->req_.target, uo) || self->stop_wait());
          if (r.index() == 0) self->upnp_ = std::get<0>(std::move(r));
        },
        finish);
  }
}

awaitable<boost::system::result<scan_result, failure>> scan_run::run() {
  co_await asio::this_coro::throw_if_cancelled(false);
  time_point start = clock::now();
  ++eng_->scans;
  start_side_tasks();
  co_await main_pass();
  if (live()) co_await recheck_pass();
  co_await drain();
  forget_lingering();
  // Every place a UDP try took among the lingering sockets was given back: when the try
  // landed, when its late answer came, or when its linger ended or was cut. Checked in the
  // sanitizers' debug builds, where the unit tests' scans run (the two memory-budget tests
  // run in the release build only).
  assert(sockets_lingering_ == 0);
  time_point end = clock::now();
  // What the target's limit holds, left for the next scan of it: a margin less than the model
  // holds. The model may hold up to a token beyond the target unseen (an error lost on the way
  // back, which the margin is for; or an excess under a token, which the audit lets pass), and
  // a scan starting from it would have spent its own margin before it began: one error it then
  // lost would make clean silences of moments the target held none. A target that sent no
  // error (to this scan or an earlier one) has nothing to remember: its limit is full.
  if (!icmp_.untouched()) {
    double left = std::max(0.0, icmp_.tokens_before(end + duration(1)) - icmp_token_margin);
    eng_->remember_icmp(req_.target, {left, end}, req_.options.target_icmp_limit);
  }
  --eng_->scans;
  // A failure before any verdict means the scan could not run; after some, it is a scan
  // that stopped early, and what it found is still the caller's.
  if (fatal_ && decided_ == 0) co_return *fatal_;
  scan_result result;
  // Tries still out when the scan stopped count as sent: they were (a failure stops the
  // scan at the first failed try it hears of, and a try that failed gave its number back).
  result.ports_tried = static_cast<std::size_t>(
      std::count_if(records_.begin(), records_.end(), [](const record& r) { return r.tries > 0; }));
  result.target = req_.target;
  for (auto& v : verdicts_) {
    if (v) (v->proto == transport::udp ? result.udp : result.ports).push_back(std::move(*v));
  }
  result.ping = ping_;
  result.upnp = upnp_;
  result.elapsed = clock::now() - start;
  result.srtt = rtt_.srtt();
  result.icmp_rate_limited =
      std::any_of(result.ports.begin(), result.ports.end(),
                  [](const port_result& p) { return p.rate_limit != recheck::none; }) ||
      std::any_of(result.udp.begin(), result.udp.end(),
                  [](const port_result& p) { return p.rate_limit != recheck::none; });
  if (result.icmp_rate_limited) {
    result.icmp_limit = {icmp_.limit().burst, icmp_.limit().refill, icmp_.loosened(),
                         icmp_.tightened()};
  }
  result.cancelled = stopped_;
  result.stopped_by = fatal_;
  co_return result;
}

}  // namespace breakwater::probe
