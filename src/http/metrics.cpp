#include "http/metrics.hpp"

#include <fmt/format.h>

namespace breakwater::http {

metrics::metrics(std::size_t workers, std::vector<std::string> routes)
    : routes_(std::move(routes)), slots_(new slot[workers]), workers_(workers) {
  routes_.emplace_back("unmatched");
  for (std::size_t w = 0; w < workers_; ++w) {
    std::size_t n = routes_.size() * statuses.size();
    slots_[w].requests.reset(new counter[n]);
    for (std::size_t i = 0; i < n; ++i) slots_[w].requests[i].store(0);
  }
}

void metrics::on_request(std::size_t worker, std::size_t route, unsigned status,
                         std::chrono::nanoseconds duration) noexcept {
  slot& s = slots_[worker];
  std::size_t si = statuses.size() - 1;
  for (std::size_t i = 0; i + 1 < statuses.size(); ++i) {
    if (statuses[i] == status) si = i;
  }
  if (route >= routes_.size()) route = unmatched_route();
  bump(s.requests[route * statuses.size() + si]);
  double seconds = std::chrono::duration<double>(duration).count();
  std::size_t b = 0;
  while (b < buckets.size() && seconds > buckets[b]) ++b;
  bump(s.latency[b]);
  bump(s.latency_sum_ns, static_cast<std::uint64_t>(duration.count()));
}

void metrics::on_connection(std::size_t worker, int delta) noexcept {
  auto& open = slots_[worker].open;
  open.store(open.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

void metrics::on_tls_handshake(std::size_t worker, bool ok) noexcept {
  bump(ok ? slots_[worker].handshakes : slots_[worker].handshake_failures);
}

void metrics::on_rejected_connection(std::size_t worker) noexcept { bump(slots_[worker].rejected); }

std::uint64_t metrics::total(counter slot::*field) const noexcept {
  std::uint64_t sum = 0;
  for (std::size_t w = 0; w < workers_; ++w) sum += (slots_[w].*field).load();
  return sum;
}

std::string metrics::render() const {
  std::string out =
      "# HELP breakwater_http_requests_total HTTP requests answered, by route and status.\n"
      "# TYPE breakwater_http_requests_total counter\n";
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    for (std::size_t si = 0; si < statuses.size(); ++si) {
      std::uint64_t n = 0;
      for (std::size_t w = 0; w < workers_; ++w) {
        n += slots_[w].requests[r * statuses.size() + si].load();
      }
      if (n == 0) continue;
      std::string status = statuses[si] == 0 ? "other" : std::to_string(statuses[si]);
      out += fmt::format("breakwater_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         routes_[r], status, n);
    }
  }
  out +=
      "# HELP breakwater_http_request_duration_seconds Time from a complete request to its "
      "response being written.\n# TYPE breakwater_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= buckets.size(); ++b) {
    for (std::size_t w = 0; w < workers_; ++w) cumulative += slots_[w].latency[b].load();
    std::string le = b < buckets.size() ? fmt::format("{}", buckets[b]) : "+Inf";
    out += fmt::format("breakwater_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", le,
                       cumulative);
  }
  out += fmt::format("breakwater_http_request_duration_seconds_sum {:.9f}\n",
                     static_cast<double>(total(&slot::latency_sum_ns)) / 1e9);
  out += fmt::format("breakwater_http_request_duration_seconds_count {}\n", cumulative);
  std::int64_t open = 0;
  for (std::size_t w = 0; w < workers_; ++w) open += slots_[w].open.load();
  out += fmt::format(
      "# HELP breakwater_open_connections Connections open now.\n"
      "# TYPE breakwater_open_connections gauge\nbreakwater_open_connections {}\n"
      "# HELP breakwater_rejected_connections_total Connections refused over max_connections.\n"
      "# TYPE breakwater_rejected_connections_total counter\n"
      "breakwater_rejected_connections_total {}\n"
      "# HELP breakwater_tls_handshakes_total Completed TLS handshakes.\n"
      "# TYPE breakwater_tls_handshakes_total counter\nbreakwater_tls_handshakes_total {}\n"
      "# HELP breakwater_tls_handshake_failures_total Failed or timed-out TLS handshakes.\n"
      "# TYPE breakwater_tls_handshake_failures_total counter\n"
      "breakwater_tls_handshake_failures_total {}\n",
      open, total(&slot::rejected), total(&slot::handshakes), total(&slot::handshake_failures));
  return out;
}

}  // namespace breakwater::http
