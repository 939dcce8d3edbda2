#include "scan/registry.hpp"

#include "common/holder.hpp"
#include "scan/kept_bytes.hpp"

#include <algorithm>
#include <vector>

namespace breakwater::scan {

bool registry::make_room(std::size_t bytes) {
  // A scan larger than the whole budget would empty it for nothing.
  if (bytes > max_bytes_) return false;
  while (bytes_ + bytes > max_bytes_ && forget_oldest(kept_order_)) {
  }
  return bytes_ + bytes <= max_bytes_;
}

void registry::add(const std::string& id, std::shared_ptr<scan_record> r) {
  r->counted_bytes = estimate_kept_bytes(*r);
  holder_state& h = holders_[r->who.holder];
  ++h.running;
  h.kept.push_back(id);
  // The /48's own state only keeps its ids (running and streams are counted elsewhere);
  // its key ("2001:db8::/48") is never a holder's.
  holder_state* wide = nullptr;
  if (!r->who.wide.empty()) {
    wide = &holders_[r->who.wide];
    wide->kept.push_back(id);
  }
  count_bytes(*r, r->counted_bytes);
  const scan_record& kept = *r;
  scans_.emplace(id, std::move(r));
  kept_order_.push_back(id);
  trim_kept(h, wide);
  if (scans_.contains(id)) trim_holders_bytes(kept);
}

void registry::grew(scan_record& r, std::size_t more) {
  r.counted_bytes += more;
  count_bytes(r, more);
  trim_bytes();
  trim_holders_bytes(r);
}

void registry::recount(scan_record& r) {
  uncount_bytes(r, r.counted_bytes);
  r.counted_bytes = estimate_kept_bytes(r);
  count_bytes(r, r.counted_bytes);
  trim_bytes();
  trim_holders_bytes(r);
}

// The memory of one record, in all and for its holder and /48 (when they are kept).
void registry::count_bytes(const scan_record& r, std::size_t n) {
  bytes_ += n;
  if (auto h = holders_.find(r.who.holder); h != holders_.end()) h->second.bytes += n;
  if (auto w = holders_.find(r.who.wide); !r.who.wide.empty() && w != holders_.end()) {
    w->second.bytes += n;
  }
}

void registry::uncount_bytes(const scan_record& r, std::size_t n) {
  bytes_ -= n;
  auto take = [n](holder_state& s) { s.bytes -= std::min(s.bytes, n); };
  if (auto h = holders_.find(r.who.holder); h != holders_.end()) take(h->second);
  if (auto w = holders_.find(r.who.wide); !r.who.wide.empty() && w != holders_.end()) {
    take(w->second);
  }
}

// A holder past its share of the memory forgets its own oldest finished results, and so does
// a /48 past four shares; never another's, never one running or watched, and never `r`
// itself: a result larger than the share alone must still reach the visitor who polls for
// it (it goes with the next one, or with time). Looked up by key each time: forgetting may
// drop an idle holder's state.
void registry::trim_holders_bytes(const scan_record& r) {
  const std::string holder = r.who.holder, wide = r.who.wide, id = r.view.id;
  auto trim = [this, &id](const std::string& key, std::size_t limit) {
    for (;;) {
      auto h = holders_.find(key);
      if (h == holders_.end() || h->second.bytes <= limit) return;
      if (!forget_oldest(h->second.kept, id)) return;
    }
  };
  trim(holder, max_holder_bytes_);
  if (!wide.empty()) trim(wide, max_holder_bytes_ * common::wide_tier_factor);
}

scan_record* registry::visible(std::string_view id, std::string_view address) const {
  scan_record* r = find(id);
  if (r == nullptr || r->view.target != address) return nullptr;
  if (r->view.phase != scan_phase::running && steady::now() >= r->expires) return nullptr;
  return r;
}

scan_record* registry::find(std::string_view id) const {
  auto it = scans_.find(id);
  return it == scans_.end() ? nullptr : it->second.get();
}

std::size_t registry::running_of(const std::string& holder) const {
  auto h = holders_.find(holder);
  return h == holders_.end() ? 0 : h->second.running;
}

void registry::end_running(const std::string& holder) {
  if (auto h = holders_.find(holder); h != holders_.end() && h->second.running > 0) {
    --h->second.running;
  }
}

void registry::stream_closed(const std::string& holder) {
  if (auto h = holders_.find(holder); h != holders_.end() && h->second.streams > 0) {
    --h->second.streams;
  }
}

// Forgets the oldest finished, unwatched scan in `order` other than `spared` (dropping ids
// already forgotten on the way); false when every scan there is running, watched or spared.
bool registry::forget_oldest(std::deque<std::string>& order, std::string_view spared) {
  for (auto it = order.begin(); it != order.end();) {
    if (*it == spared) {
      ++it;
      continue;
    }
    auto found = scans_.find(*it);
    if (found == scans_.end()) {
      it = order.erase(it);
      continue;
    }
    const scan_record& r = *found->second;
    if (r.view.phase != scan_phase::running && r.subscribers.empty()) {
      std::string holder = r.who.holder, wide = r.who.wide;
      forget(found);
      order.erase(it);
      drop_holder_if_idle(holder);
      if (!wide.empty()) drop_holder_if_idle(wide);
      return true;
    }
    ++it;
  }
  return false;
}

registry::record_map::iterator registry::forget(record_map::iterator it) {
  uncount_bytes(*it->second, it->second->counted_bytes);
  return scans_.erase(it);
}

void registry::drop_holder_if_idle(const std::string& holder) {
  auto h = holders_.find(holder);
  if (h == holders_.end() || h->second.running > 0 || h->second.streams > 0) return;
  std::erase_if(h->second.kept, [&](const std::string& id) { return !scans_.contains(id); });
  if (h->second.kept.empty()) holders_.erase(h);
}

// After a scan was added: the oldest results go first, per holder, per /48 (four times a
// holder's share: its /64s do not multiply it) and overall.
void registry::trim_kept(holder_state& h, holder_state* wide) {
  // A list may still name results forgotten through another (the /48's, the overall order)
  // while its holder runs a scan: they must not count against what is kept.
  auto gone = [this](const std::string& id) { return !scans_.contains(id); };
  std::erase_if(h.kept, gone);
  if (wide != nullptr) std::erase_if(wide->kept, gone);
  while (h.kept.size() > max_kept_per_holder_ && forget_oldest(h.kept)) {
  }
  while (wide != nullptr && wide->kept.size() > max_kept_per_holder_ * common::wide_tier_factor &&
         forget_oldest(wide->kept)) {
  }
  while (scans_.size() > max_kept_ && forget_oldest(kept_order_)) {
  }
  trim_bytes();
  // Ids forgotten through the other list stay behind here; drop them now and then.
  if (kept_order_.size() > 2 * scans_.size() + 1024) drop_forgotten_ids();
}

// The memory budget: the same rule, oldest finished and unwatched first. Running and
// watched scans stay; make_room keeps new ones out while those alone fill it.
void registry::trim_bytes() {
  while (bytes_ > max_bytes_ && forget_oldest(kept_order_)) {
  }
}

void registry::drop_forgotten_ids() {
  std::erase_if(kept_order_, [&](const std::string& id) { return !scans_.contains(id); });
}

void registry::sweep(steady::time_point now, std::chrono::seconds idle_cancel) {
  std::vector<std::string> emptied;
  for (auto it = scans_.begin(); it != scans_.end();) {
    scan_record& r = *it->second;
    if (r.view.phase == scan_phase::running) {
      if (r.subscribers.empty() && now - r.last_watched >= idle_cancel && !r.idle_cancelled) {
        r.idle_cancelled = true;
        r.stop.request_stop();
      }
      ++it;
    } else if (now >= r.expires && r.subscribers.empty()) {
      emptied.push_back(r.who.holder);
      if (!r.who.wide.empty()) emptied.push_back(r.who.wide);
      it = forget(it);
    } else {
      ++it;
    }
  }
  for (const std::string& h : emptied) drop_holder_if_idle(h);
  if (kept_order_.size() > scans_.size() + 1024) drop_forgotten_ids();
}

void registry::stop_all() {
  for (auto& [id, r] : scans_) r->stop.request_stop();
}

}  // namespace breakwater::scan
