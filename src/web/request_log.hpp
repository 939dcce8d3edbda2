// One line per request (and start-up and error messages) on stderr, by level.
#pragma once

#include "web/config.hpp"

#include <chrono>
#include <cstddef>
#include <string_view>

namespace breakwater::web {

class request_log {
 public:
  explicit request_log(log_level level) noexcept : level_(level) {}

  bool enabled(log_level l) const noexcept { return l <= level_; }

  // "2026-11-27T12:00:00Z GET /port/443 200 10234B 0.214ms 127.0.0.1:51324" at info level.
  void request(std::string_view method, std::string_view target, unsigned status, std::size_t bytes,
               std::chrono::nanoseconds duration, std::string_view client,
               std::uint16_t client_port) const;

  void message(log_level l, std::string_view text) const;

 private:
  log_level level_;
};

}  // namespace breakwater::web
