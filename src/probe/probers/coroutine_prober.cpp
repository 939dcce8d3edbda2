#include "probe/probers/coroutine_prober.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;

probe_handle handle_of(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<probe_handle>(generation) << 32) | slot;
}

}  // namespace

probe_handle coroutine_prober::start(const probe_try& t, probe_sink& sink) {
  std::uint32_t slot = 0;
  if (free_.empty()) {
    slot = static_cast<std::uint32_t>(tries_.size());
    tries_.emplace_back();
  } else {
    slot = free_.back();
    free_.pop_back();
  }
  running& r = tries_[slot];
  r.wanted = true;
  r.told_silent = false;
  auto self = shared_from_this();
  auto work = [&] {
    if (t.linger <= duration::zero() || !lingers()) return probe(t.target, t.port, t.timeout);
    return probe_until(t.target, t.port, t.timeout, t.timeout + t.linger,
                       [self, slot, gen = r.generation, &sink, tag = t.tag] {
                         running& now = self->tries_[slot];
                         if (!now.wanted || now.generation != gen) return;
                         now.told_silent = true;
                         probe_outcome silent;
                         silent.still_heard = true;
                         sink.finished(tag, silent);
                       });
  };
  asio::co_spawn(
      sink.executor(), work(),
      asio::bind_cancellation_slot(r.cancel.slot(), [self, slot, &sink, tag = t.tag](
                                                        std::exception_ptr e, probe_outcome o) {
        if (e) {
          // A prober that throws is a programming error: the scan ends with a
          // failure, not a hang.
          o = probe_outcome{};
          o.what = probe_outcome::kind::failed;
          o.error = failure{make_error_code(errc::local_failure), operation::none, "probe backend"};
        }
        self->end(slot, sink, tag, o);
      }));
  return handle_of(slot, r.generation);
}

asio::awaitable<probe_outcome> coroutine_prober::probe_until(asio::ip::address target,
                                                             std::uint16_t port, duration timeout,
                                                             duration, std::function<void()>) {
  return probe(target, port, timeout);
}

// The coroutine is over: its slot is free again, and its outcome goes to the sink unless the
// try was cancelled (the sink may be gone then): as the try's end, or, where it was reported
// silent already (lingering), as a late answer.
void coroutine_prober::end(std::uint32_t slot, probe_sink& sink, probe_tag tag,
                           const probe_outcome& o) {
  running& r = tries_[slot];
  bool wanted = r.wanted;
  bool told_silent = r.told_silent;
  r.wanted = false;
  ++r.generation;
  free_.push_back(slot);
  if (!wanted) return;
  if (!told_silent) {
    sink.finished(tag, o);
  } else if (o.what == probe_outcome::kind::answered) {
    sink.late(tag, o);
  }
}

void coroutine_prober::cancel(probe_handle h) noexcept {
  auto slot = static_cast<std::uint32_t>(h);
  if (slot >= tries_.size()) return;
  running& r = tries_[slot];
  if (!r.wanted || r.generation != static_cast<std::uint32_t>(h >> 32)) return;
  r.wanted = false;
  r.cancel.emit(asio::cancellation_type::terminal);
}

}  // namespace breakwater::probe
