#include "probe/detail/clock.hpp"

#include <atomic>

namespace breakwater::probe {
namespace {

std::atomic<bool> virtual_on{false};
std::atomic<clock::rep> virtual_ticks{0};
constexpr clock::rep no_expiry = clock::duration::max().count();
std::atomic<clock::rep> next_expiry{no_expiry};

void note_expiry(clock::rep at) noexcept {
  clock::rep seen = next_expiry.load(std::memory_order_relaxed);
  while (at < seen && !next_expiry.compare_exchange_weak(seen, at)) {
  }
}

}  // namespace

clock::time_point clock::now() noexcept {
  if (virtual_on.load(std::memory_order_relaxed)) {
    return time_point(duration(virtual_ticks.load(std::memory_order_relaxed)));
  }
  return time_point(std::chrono::steady_clock::now().time_since_epoch());
}

void clock::use_virtual_time(bool on) noexcept {
  // Start virtual time well away from zero so that "time_point{}" still means "long ago".
  virtual_ticks.store(std::chrono::duration_cast<duration>(std::chrono::hours(1)).count());
  next_expiry.store(no_expiry);  // an earlier test's timers are not this one's
  virtual_on.store(on);
}

bool clock::virtual_time() noexcept { return virtual_on.load(std::memory_order_relaxed); }

void clock::advance(duration d) noexcept { virtual_ticks.fetch_add(d.count()); }

clock::time_point clock::take_next_expiry() noexcept {
  return time_point(duration(next_expiry.exchange(no_expiry)));
}

// Asio asks with the time left until its earliest timer's expiry, at every poll.
clock::duration wait_traits::to_wait_duration(const clock::duration& d) {
  if (!clock::virtual_time()) return d;
  if (d > clock::duration::zero()) note_expiry((clock::now() + d).time_since_epoch().count());
  return clock::duration::zero();
}

clock::duration wait_traits::to_wait_duration(const clock::time_point& t) {
  if (clock::virtual_time()) return clock::duration::zero();
  auto now = clock::now();
  if (t <= now) return clock::duration::zero();
  // Guard against overflow for "never" expiries.
  if (t - now > std::chrono::hours(24)) return std::chrono::hours(24);
  return t - now;
}

}  // namespace breakwater::probe
