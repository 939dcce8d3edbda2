// What all scans of one engine share: the backend, engine-wide pacing and in-flight count.
#pragma once

#include "probe/detail/icmp_limit_model.hpp"
#include "probe/detail/pacer.hpp"
#include "probe/detail/timer.hpp"
#include "probe/engine.hpp"

#include <algorithm>
#include <map>
#include <vector>

namespace breakwater::probe {

struct engine::state {
  boost::asio::any_io_executor ex;
  engine_options options;
  pacer pace;
  // Bookings the pace held back (a scan could have sent sooner at its own rate): others
  // want the slots a scan would take (scan_run::yield_until).
  recent_count held;
  std::size_t in_flight = 0;
  std::size_t scans = 0;
  // The sockets the UDP prober's lingering tries may hold at once (0: they hold none).
  std::size_t udp_lingering_sockets = 0;
  std::vector<timer*> waiting;  // wake timers of scans waiting for engine-wide room

  bool has_room() const noexcept { return in_flight < options.max_in_flight; }
  std::size_t room() const noexcept { return has_room() ? options.max_in_flight - in_flight : 0; }
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

  // How full each target's ICMP error bucket was when its last scan ended, until it has
  // refilled.
  struct icmp_memory {
    icmp_bucket bucket;
    time_point full_at;
  };
  std::map<boost::asio::ip::address, icmp_memory> icmp_history;

  void remember_icmp(const boost::asio::ip::address& target, icmp_bucket b, const icmp_limit& l) {
    std::erase_if(icmp_history, [](const auto& kv) { return kv.second.full_at < clock::now(); });
    auto missing = std::chrono::duration<double>(l.refill) * std::max(0.0, l.burst - b.tokens);
    time_point full_at = b.at + std::chrono::duration_cast<duration>(missing);
    if (full_at > clock::now()) icmp_history[target] = {b, full_at};
  }
};

}  // namespace breakwater::probe
