// One line per request (and start-up and error messages) on stderr, by level: plain text
// for people, or JSON lines for a log stack (journald, Loki, Elastic).
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

enum class log_format { text, json };

std::string_view to_string(log_format format) noexcept;
bool parse_log_format(std::string_view text, log_format& out) noexcept;

// Without client addresses, what a request target becomes in the log: the application
// knows which parts of its paths identify a client (ids it handed out).
using target_redactor = std::function<std::string(std::string_view target)>;

class request_log {
 public:
  // `show_clients` false: request lines carry neither the client's address nor the query,
  // and targets pass through `redact` (when given).
  explicit request_log(log_level level, bool show_clients = true, target_redactor redact = {},
                       log_format format = log_format::text)
      : level_(level), format_(format), show_clients_(show_clients), redact_(std::move(redact)) {}

  // Text lines for the journal (stderr is systemd's journal stream: JOURNAL_STREAM names
  // it): each starts with its priority ("<4>" for warn), so that journalctl -p warning
  // finds them, and carries no time of its own (the journal stamps every line). Set from
  // the environment at start; tests set it.
  void to_journal(bool on) noexcept { journal_ = on; }
  static bool stderr_is_journal() noexcept;

  bool enabled(log_level l) const noexcept { return l <= level_; }
  // Whether lines may name clients (log_client_addresses): every line that would, asks.
  bool shows_clients() const noexcept { return show_clients_; }

  // "2026-11-27T12:00:00Z GET /port/443 200 10234B 0.214ms 127.0.0.1:51324" at info level;
  // the client is the resolved one (client_address.hpp), "unknown" when nobody said, and
  // "-" without show_clients. In JSON: {"time","level","event":"request","method","target",
  // "status","bytes","duration_ms","client","client_port"}, the client null when nobody
  // said and both client keys left out without show_clients.
  void request(std::string_view method, std::string_view target, unsigned status, std::size_t bytes,
               std::chrono::nanoseconds duration, std::string_view client,
               std::uint16_t client_port) const;

  // "2026-11-27T12:00:00Z warn: text", or {"time","level","event":"message","message"}.
  void message(log_level l, std::string_view text) const;

  // The lines request() and message() write, without the newline (for tests).
  std::string request_line(std::string_view method, std::string_view target, unsigned status,
                           std::size_t bytes, std::chrono::nanoseconds duration,
                           std::string_view client, std::uint16_t client_port) const;
  std::string message_line(log_level l, std::string_view text) const;

 private:
  void format_request(std::string& line, std::string_view method, std::string_view target,
                      unsigned status, std::size_t bytes, std::chrono::nanoseconds duration,
                      std::string_view client, std::uint16_t client_port) const;

  log_level level_;
  log_format format_;
  bool show_clients_;
  target_redactor redact_;
  bool journal_ = stderr_is_journal();
};

// `text` as a JSON string, quotes included: quotes, backslashes and control characters
// escaped, and each byte that is not part of valid UTF-8 replaced by U+FFFD, so that a
// hostile request target can neither break the line nor make it unparsable.
void append_json_string(std::string& out, std::string_view text);

}  // namespace breakwater::http
