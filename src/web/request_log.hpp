// One line per request (and start-up and error messages) on stderr, by level.
#pragma once

#include "web/config.hpp"

#include <chrono>
#include <cstddef>
#include <string_view>

namespace breakwater::web {

class request_log {
 public:
  // `show_clients` false: request lines carry neither the client's address nor scan ids.
  explicit request_log(log_level level, bool show_clients = true) noexcept
      : level_(level), show_clients_(show_clients) {}

  bool enabled(log_level l) const noexcept { return l <= level_; }

  // "2026-11-27T12:00:00Z GET /port/443 200 10234B 0.214ms 127.0.0.1:51324" at info level;
  // the client is the resolved one (client_address.hpp), "unknown" when nobody said, and
  // "-" without show_clients (scan ids in the target are then shown as "*").
  void request(std::string_view method, std::string_view target, unsigned status, std::size_t bytes,
               std::chrono::nanoseconds duration, std::string_view client,
               std::uint16_t client_port) const;

  void message(log_level l, std::string_view text) const;

 private:
  log_level level_;
  bool show_clients_;
};

// "/scan/AbC.../cancel" -> "/scan/*/cancel": the target without scan ids.
std::string without_scan_ids(std::string_view target);

}  // namespace breakwater::web
