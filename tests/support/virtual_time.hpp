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

// Polls until `done()`. Whenever nothing was ready, virtual time moves on by `step`, or
// straight to the step at or after the earliest timer expiry the event loop named since the
// last move (by a second at most: a "never" timer must not run a test that waits for something
// else out of virtual time). The loop names its earliest timer whenever that changes, except
// when one is cancelled: the stepping then finds the next. So no timer is passed over, and
// every timer fires at the step it did when the clock only stepped (the polls of the steps in
// between did nothing): the same runs, a third of the time, since each poll re-arms the
// reactor's timerfd. Under virtual_moves::to_expiry it moves to the expiry itself instead:
// events no longer share whole milliseconds, as they do not on a real clock, and the runs
// differ (a scan that only kept up with a refill of a token a millisecond because its
// wake-ups fell on whole milliseconds shows there).
template <class Done>
void run_until(boost::asio::io_context& ctx, Done done, duration limit = std::chrono::minutes(10),
               duration step = std::chrono::milliseconds(1)) {
  time_point give_up = clock::now() + limit;
  time_point known = time_point::max();  // the earliest expiry named and not reached yet
  while (!done()) {
    if (ctx.stopped()) ctx.restart();
    if (ctx.poll() == 0) {
      time_point now = clock::now();
      if (now > give_up) throw std::runtime_error("virtual time limit reached");
      constexpr duration max_jump = std::chrono::seconds(1);
      known = std::min(known, clock::take_next_expiry());
      duration jump = step;
      if (known != time_point::max() && known > now + step) {
        // To the step at or after `known`, counting from now.
        jump = std::min((known - now + step - duration(1)) / step * step, max_jump);
      }
      if (virtual_time_moves == virtual_moves::to_expiry && known != time_point::max() &&
          known > now) {
        jump = std::min(known - now, max_jump);
      }
      clock::advance(jump);
      if (known <= clock::now()) known = time_point::max();
    }
  }
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
