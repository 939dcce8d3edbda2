// What all scans of one engine share: the backend, engine-wide pacing and in-flight count.
#pragma once

#include "probe/engine.hpp"
#include "probe/pacer.hpp"
#include "probe/timer.hpp"

#include <algorithm>
#include <vector>

namespace breakwater::probe {

struct engine::state {
  boost::asio::any_io_executor ex;
  engine_options options;
  pacer pace;
  std::size_t in_flight = 0;
  std::size_t scans = 0;
  std::vector<timer*> waiting;  // wake timers of scans waiting for engine-wide room

  bool has_room() const noexcept { return in_flight < options.max_in_flight; }
  void acquire() noexcept { ++in_flight; }
  void release() {
    --in_flight;
    for (timer* t : waiting) t->cancel();
    waiting.clear();
  }
  void wait_for_room(timer& t) {
    if (std::find(waiting.begin(), waiting.end(), &t) == waiting.end()) waiting.push_back(&t);
  }
  void forget(timer& t) { std::erase(waiting, &t); }
};

}  // namespace breakwater::probe
