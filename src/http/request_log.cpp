#include "http/request_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

namespace breakwater::http {
namespace {

// One write() per line: lines from different threads never interleave.
void write_line(std::string& line) {
  line += '\n';
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(2, line.data() + done, line.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void timestamp(std::string& out) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  fmt::format_to(std::back_inserter(out), "{:%Y-%m-%dT%H:%M:%SZ} ", tm);
}

// Control characters in a logged target could forge lines; they are shown as '?'.
void append_printable(std::string& out, std::string_view text) {
  for (char c : text) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
}

}  // namespace

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::error: return "error";
    case log_level::warn: return "warn";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
  }
  return "info";
}

bool parse_log_level(std::string_view text, log_level& out) noexcept {
  for (log_level l : {log_level::error, log_level::warn, log_level::info, log_level::debug}) {
    if (text == to_string(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void request_log::request(std::string_view method, std::string_view target, unsigned status,
                          std::size_t bytes, std::chrono::nanoseconds duration,
                          std::string_view client, std::uint16_t client_port) const {
  if (!enabled(log_level::info)) return;
  thread_local std::string line;
  line.clear();
  timestamp(line);
  append_printable(line, method);
  line += ' ';
  if (show_clients_) {
    append_printable(line, target.substr(0, 2000));
  } else {
    std::string_view path = target.substr(0, std::min(target.find('?'), std::size_t{2000}));
    append_printable(line, redact_ ? redact_(path) : std::string(path));
  }
  fmt::format_to(std::back_inserter(line), " {} {}B {:.3f}ms ", status, bytes,
                 std::chrono::duration<double, std::milli>(duration).count());
  if (!show_clients_) {
    line += '-';
  } else if (client.empty()) {
    line += "unknown";
  } else {
    bool v6 = client.find(':') != std::string_view::npos;
    fmt::format_to(std::back_inserter(line), "{}{}{}:{}", v6 ? "[" : "", client, v6 ? "]" : "",
                   client_port);
  }
  write_line(line);
}

void request_log::message(log_level l, std::string_view text) const {
  if (!enabled(l)) return;
  std::string line;
  timestamp(line);
  line += to_string(l);
  line += ": ";
  line += text;
  write_line(line);
}

}  // namespace breakwater::http
