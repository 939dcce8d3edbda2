// One line per request (and start-up and error messages) on stderr, by level.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace breakwater::http {

enum class log_level { error, warn, info, debug };

std::string_view to_string(log_level level) noexcept;
bool parse_log_level(std::string_view text, log_level& out) noexcept;

// Without client addresses, what a request target becomes in the log: the application
// knows which parts of its paths identify a client (ids it handed out).
using target_redactor = std::function<std::string(std::string_view target)>;

class request_log {
 public:
  // `show_clients` false: request lines carry neither the client's address nor the query,
  // and targets pass through `redact` (when given).
  explicit request_log(log_level level, bool show_clients = true, target_redactor redact = {})
      : level_(level), show_clients_(show_clients), redact_(std::move(redact)) {}

  bool enabled(log_level l) const noexcept { return l <= level_; }

  // "2026-11-27T12:00:00Z GET /port/443 200 10234B 0.214ms 127.0.0.1:51324" at info level;
  // the client is the resolved one (client_address.hpp), "unknown" when nobody said, and
  // "-" without show_clients.
  void request(std::string_view method, std::string_view target, unsigned status, std::size_t bytes,
               std::chrono::nanoseconds duration, std::string_view client,
               std::uint16_t client_port) const;

  void message(log_level l, std::string_view text) const;

 private:
  log_level level_;
  bool show_clients_;
  target_redactor redact_;
};

}  // namespace breakwater::http
