#include "scan/subscribers.hpp"

#include <algorithm>

namespace breakwater::scan {
namespace {

refusal too_many_streams() {
  return {429, "too_many_streams",
          "Too many event streams are open on this scan or from your address. Close other "
          "tabs showing it, or read the result with GET /api/v1/scans/{id}.",
          std::chrono::seconds(5)};
}

class record_subscription final : public subscription {
 public:
  record_subscription(std::weak_ptr<service_state> st, std::string id, std::uint64_t sub)
      : state_(std::move(st)), id_(std::move(id)), sub_(sub) {}

  ~record_subscription() override {
    with_record([this](service_state& st, scan_record& r) {
      std::erase_if(r.subscribers, [&](const subscriber& s) { return s.id == sub_; });
      st.scans.stream_closed(r.who.holder);
      // The idle clock starts when the last watcher leaves.
      r.last_watched = steady::now();
    });
  }

  void resume() override {
    with_record([this](service_state&, scan_record& r) {
      for (subscriber& s : r.subscribers) {
        if (s.id != sub_) continue;
        s.credit = event_batch;
        deliver_to(r, s);
      }
    });
  }

 private:
  // Runs `f` under the service's lock when the service and the scan still exist. (A scan
  // with subscribers is never forgotten, so normally both do.)
  template <class F>
  void with_record(F f) {
    auto st = state_.lock();
    if (!st) return;
    std::lock_guard lock(st->mu);
    if (scan_record* r = st->scans.find(id_)) f(*st, *r);
  }

  std::weak_ptr<service_state> state_;
  std::string id_;
  std::uint64_t sub_;
};

}  // namespace

void deliver(scan_record& r) {
  for (subscriber& s : r.subscribers) deliver_to(r, s);
}

void deliver_to(scan_record& r, subscriber& s) {
  std::size_t n = r.event_count();
  while (s.cursor < n && (!s.paced || s.credit > 0)) {
    s.on_event(r.event_at(s.cursor++));
    if (s.paced) --s.credit;
  }
}

boost::system::result<std::uint64_t, refusal> open_stream(
    service_state& st, scan_record& r, std::uint64_t after,
    std::function<void(const scan_event&)> on_event, bool paced) {
  holder_state& h = st.scans.holder(r.who.holder);
  if (r.subscribers.size() >= st.options.max_streams_per_scan ||
      h.streams >= st.options.max_streams_per_holder) {
    ++st.counters.refused;
    return too_many_streams();
  }
  ++h.streams;
  std::uint64_t sub = st.next_subscriber++;
  std::size_t cursor = static_cast<std::size_t>(std::min<std::uint64_t>(after, r.event_count()));
  // A finished scan always ends the stream with its "done" event, even for a client that
  // says it saw it: a stream that never ends would pin the result past its time.
  if (r.view.phase != scan_phase::running && cursor == r.event_count() && cursor > 0) --cursor;
  r.subscribers.push_back({sub, cursor, std::move(on_event), paced, 0});
  r.last_watched = steady::now();
  return {boost::system::in_place_value, sub};
}

std::unique_ptr<subscription> stream_handle(std::weak_ptr<service_state> st, std::string id,
                                            std::uint64_t sub) {
  return std::make_unique<record_subscription>(std::move(st), std::move(id), sub);
}

}  // namespace breakwater::scan
