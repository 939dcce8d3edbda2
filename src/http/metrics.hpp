// Counters for /metrics (Prometheus text format). Each worker thread writes only its own
// slot, so counting takes no lock and no shared cache line; /metrics adds the slots up.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace breakwater::http {

class metrics {
 public:
  // Statuses counted by their own label; others are counted as "other".
  static constexpr std::array<unsigned, 18> statuses{200, 202, 301, 302, 304, 400, 403, 404, 405,
                                                     408, 409, 413, 415, 429, 431, 500, 503, 0};
  // Upper bounds of the latency histogram, in seconds (the last bucket is +Inf).
  static constexpr std::array<double, 14> buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

  // `routes`: one label per route id; an extra "unmatched" label is added after them.
  metrics(std::size_t workers, std::vector<std::string> routes);

  void on_request(std::size_t worker, std::size_t route, unsigned status,
                  std::chrono::nanoseconds duration) noexcept;
  void on_connection(std::size_t worker, int delta) noexcept;  // +1 opened, -1 closed
  void on_tls_handshake(std::size_t worker, bool ok) noexcept;
  void on_rejected_connection(std::size_t worker) noexcept;  // over max_connections

  std::size_t unmatched_route() const noexcept { return routes_.size() - 1; }
  std::string render() const;

 private:
  using counter = std::atomic<std::uint64_t>;
  struct alignas(64) slot {
    std::unique_ptr<counter[]> requests;  // route * statuses.size() + status index
    std::array<counter, buckets.size() + 1> latency{};
    counter latency_sum_ns{0};
    std::atomic<std::int64_t> open{0};
    counter handshakes{0}, handshake_failures{0}, rejected{0};
  };
  // Only the owning worker writes a counter, so load + store is enough (no locked add).
  static void bump(counter& c, std::uint64_t by = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
  std::uint64_t total(counter slot::*field) const noexcept;

  std::vector<std::string> routes_;
  std::unique_ptr<slot[]> slots_;
  std::size_t workers_;
};

}  // namespace breakwater::http
