// Runs a coroutine to completion in virtual time: poll, and move the clock on when idle.
#pragma once

#include "probe/detail/clock.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

namespace breakwater::probe::testing {

class virtual_time {
 public:
  virtual_time() { clock::use_virtual_time(true); }
  ~virtual_time() { clock::use_virtual_time(false); }
  virtual_time(const virtual_time&) = delete;
  virtual_time& operator=(const virtual_time&) = delete;
};

// Polls until `done()`; advances virtual time by `step` whenever nothing was ready.
template <class Done>
void run_until(boost::asio::io_context& ctx, Done done, duration limit = std::chrono::minutes(10),
               duration step = std::chrono::milliseconds(1)) {
  time_point give_up = clock::now() + limit;
  while (!done()) {
    if (ctx.stopped()) ctx.restart();
    if (ctx.poll() == 0) {
      if (clock::now() > give_up) throw std::runtime_error("virtual time limit reached");
      clock::advance(step);
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
