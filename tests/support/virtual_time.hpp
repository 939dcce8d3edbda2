// Runs a coroutine to completion in virtual time: poll, and move the clock on when idle.
#pragma once

#include "probe/detail/clock.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

namespace breakwater::probe::testing {

// How idle virtual time moves (see run_until): in whole steps, or straight to the next
// timer's expiry, so that events keep their exact times as on a real clock.
enum class virtual_moves { in_steps, to_expiry };

inline virtual_moves virtual_time_moves = virtual_moves::in_steps;

class virtual_time {
 public:
  explicit virtual_time(virtual_moves m = virtual_moves::in_steps) {
    clock::use_virtual_time(true);
    virtual_time_moves = m;
  }
  ~virtual_time() {
    clock::use_virtual_time(false);
    virtual_time_moves = virtual_moves::in_steps;
  }
  virtual_time(const virtual_time&) = delete;
  virtual_time& operator=(const virtual_time&) = delete;
};

// How far idle virtual time moves at `now`: to the step at or after `next` (the earliest timer
// expiry the event loop named; its reactor names it at every poll), or by `step` where it named
// none; a thousand steps at most, so that a "never" timer does not run a test that waits for
// something else out of its virtual time limit; and no further than the step at or after
// `stop_at`, a time the caller waits for. Timers thus fire at the step they did when the clock
// only stepped (the polls in between did nothing): the same runs, in a third of the time, as
// each poll re-arms the reactor's timerfd. Under virtual_moves::to_expiry it moves to `next`
// itself instead: events no longer share whole milliseconds, as they do not on a real clock,
// and the runs differ (a scan that kept up with a refill of a token a millisecond only
// because its wake-ups fell on whole milliseconds shows there).
inline duration idle_jump(time_point now, time_point next, time_point stop_at, duration step) {
  auto whole_steps = [step](duration d) { return (d + step - duration(1)) / step * step; };
  duration jump = step;
  if (next != time_point::max() && next > now + step) jump = whole_steps(next - now);
  if (virtual_time_moves == virtual_moves::to_expiry && next != time_point::max() && next > now) {
    jump = next - now;
  }
  if (stop_at > now) jump = std::min(jump, whole_steps(stop_at - now));
  return std::min(jump, 1000 * step);
}

// Polls until `done()`, moving virtual time on whenever nothing was ready (see idle_jump).
// A `done()` that waits for a time must name it as `stop_at` (or use run_for): idle time
// would otherwise jump past it to the next timer.
template <class Done>
void run_until(boost::asio::io_context& ctx, Done done, duration limit = std::chrono::minutes(10),
               duration step = std::chrono::milliseconds(1),
               time_point stop_at = time_point::max()) {
  time_point give_up = clock::now() + limit;
  while (!done()) {
    if (ctx.stopped()) ctx.restart();
    if (ctx.poll() == 0) {
      time_point now = clock::now();
      if (now > give_up) throw std::runtime_error("virtual time limit reached");
      clock::advance(idle_jump(now, clock::take_next_expiry(), stop_at, step));
    }
  }
}

// Runs the loop for `d` of virtual time: until the step at or after it.
inline void run_for(boost::asio::io_context& ctx, duration d) {
  const time_point until = clock::now() + d;
  run_until(
      ctx, [until] { return clock::now() >= until; }, std::chrono::minutes(10),
      std::chrono::milliseconds(1), until);
}

template <class T>
T run_virtual(boost::asio::io_context& ctx, boost::asio::awaitable<T> a,
              duration limit = std::chrono::minutes(10)) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(ctx, std::move(a), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) out.emplace(std::move(v));
  });
  run_until(
      ctx, [&] { return out.has_value() || error != nullptr; }, limit);
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

}  // namespace breakwater::probe::testing
