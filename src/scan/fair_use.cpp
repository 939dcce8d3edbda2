#include "scan/fair_use.hpp"

#include <algorithm>

namespace breakwater::scan {

void probe_budget::expire(charges& c, clock::time_point now) const {
  while (!c.items.empty() && c.items.front().first + window_ <= now) {
    c.sum -= c.items.front().second;
    c.items.pop_front();
  }
}

std::size_t probe_budget::used(std::string_view address, clock::time_point now) {
  auto it = by_address_.find(common::holder_of(address, prefix_));
  if (it == by_address_.end()) return 0;
  expire(it->second, now);
  return it->second.sum;
}

std::chrono::seconds probe_budget::charge(std::string_view address, std::size_t probes,
                                          clock::time_point now) {
  if (probes > per_hour_) return window_;  // never fits: say "an hour"
  charges& c = by_address_[common::holder_of(address, prefix_)];
  expire(c, now);
  std::size_t sum = c.sum;
  if (sum + probes <= per_hour_) {
    // Charges within the same second share one entry: the window is not finer than that.
    if (!c.items.empty() && now - c.items.back().first < std::chrono::seconds(1)) {
      c.items.back().second += probes;
    } else {
      c.items.emplace_back(now, probes);
    }
    c.sum += probes;
    return std::chrono::seconds(0);
  }
  // The oldest charges leave the window first: wait until enough of them have gone.
  std::size_t need = sum + probes - per_hour_;
  std::size_t freed = 0;
  for (const auto& [at, n] : c.items) {
    freed += n;
    if (freed >= need) {
      auto wait = std::chrono::ceil<std::chrono::seconds>(at + window_ - now);
      return std::max(wait, std::chrono::seconds(1));
    }
  }
  return window_;
}

void probe_budget::refund(std::string_view address, std::size_t probes) {
  auto it = by_address_.find(common::holder_of(address, prefix_));
  if (it == by_address_.end()) return;
  // Take back from the newest charges: they are the ones this refund belongs to.
  charges& c = it->second;
  for (auto i = c.items.rbegin(); i != c.items.rend() && probes > 0; ++i) {
    std::size_t back = std::min(probes, i->second);
    i->second -= back;
    c.sum -= back;
    probes -= back;
  }
}

void probe_budget::forget_old(clock::time_point now) {
  for (auto it = by_address_.begin(); it != by_address_.end();) {
    expire(it->second, now);
    it = it->second.items.empty() ? by_address_.erase(it) : std::next(it);
  }
}

}  // namespace breakwater::scan
