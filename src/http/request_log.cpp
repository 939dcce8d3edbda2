#include "http/request_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// The time with milliseconds, for JSON lines: a log stack orders a burst of lines by it.
void json_timestamp(std::string& out) {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  fmt::format_to(std::back_inserter(out), "{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm, ms % 1000);
}

// The length of the valid UTF-8 sequence that starts `s` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF); 0 when there is none.
std::size_t utf8_length(std::string_view s) {
  auto at = [s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = at(0);
  std::size_t n = c < 0x80                 ? 1
                  : c >= 0xc2 && c <= 0xdf ? 2
                  : c >= 0xe0 && c <= 0xef ? 3
                  : c >= 0xf0 && c <= 0xf4 ? 4
                                           : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((at(i) & 0xc0) != 0x80) return 0;
  }
  if ((c == 0xe0 && at(1) < 0xa0) || (c == 0xf0 && at(1) < 0x90)) return 0;  // overlong
  if (c == 0xed && at(1) > 0x9f) return 0;                                   // surrogate
  if (c == 0xf4 && at(1) > 0x8f) return 0;                                   // past U+10FFFF
  return n;
}

void json_field(std::string& out, std::string_view key, std::string_view value) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":", key);
  append_json_string(out, value);
}

// Control characters in a logged target could forge lines or drive a terminal (C1's CSI,
// U+009B, as much as ESC), and bytes that are not UTF-8 make journald keep the whole line as a
// blob that `journalctl` hides: each is shown as '?'.
void append_printable(std::string& out, std::string_view text) {
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text.front());
    std::size_t n = utf8_length(text);
    bool c1 = n == 2 && c == 0xc2 && static_cast<unsigned char>(text[1]) < 0xa0;
    if (n == 0 || c < 0x20 || c == 0x7f || c1) {
      out += '?';
      n = std::max<std::size_t>(n, 1);  // a C1 character is one '?', as its code point is one
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
}

// One request as logged, its target already cut and redacted.
struct request_fields {
  std::string_view method;
  std::string_view target;
  unsigned status;
  std::size_t bytes;
  std::chrono::nanoseconds duration;
  std::string_view client;  // empty: nobody said who the client is
  std::uint16_t client_port;

  double duration_ms() const { return std::chrono::duration<double, std::milli>(duration).count(); }
};

// sd-daemon(3)'s prefix: the syslog priority of the line.
void journal_priority(std::string& out, log_level l) {
  switch (l) {
    case log_level::error: out += "<3>"; return;
    case log_level::warn: out += "<4>"; return;
    case log_level::info: out += "<6>"; return;
    case log_level::debug: out += "<7>"; return;
  }
}

void text_request(std::string& line, const request_fields& f, bool show_clients, bool journal) {
  if (journal) {
    journal_priority(line, log_level::info);
  } else {
    timestamp(line);
  }
  append_printable(line, f.method);
  line += ' ';
  append_printable(line, f.target);
  auto out = std::back_inserter(line);
  fmt::format_to(out, " {} {}B {:.3f}ms ", f.status, f.bytes, f.duration_ms());
  if (!show_clients) {
    line += '-';
  } else if (f.client.empty()) {
    line += "unknown";
  } else {
    bool v6 = f.client.find(':') != std::string_view::npos;
    fmt::format_to(out, "{}{}{}:{}", v6 ? "[" : "", f.client, v6 ? "]" : "", f.client_port);
  }
}

void json_request(std::string& line, const request_fields& f, bool show_clients) {
  line += "{\"time\":\"";
  json_timestamp(line);
  line += "\",\"level\":\"info\",\"event\":\"request\"";
  json_field(line, "method", f.method);
  json_field(line, "target", f.target);
  auto out = std::back_inserter(line);
  fmt::format_to(out, ",\"status\":{},\"bytes\":{},\"duration_ms\":{:.3f}", f.status, f.bytes,
                 f.duration_ms());
  if (show_clients && f.client.empty()) {
    line += ",\"client\":null,\"client_port\":null";
  } else if (show_clients) {
    json_field(line, "client", f.client);
    fmt::format_to(out, ",\"client_port\":{}", f.client_port);
  }
  line += '}';
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

bool parse_log_format(std::string_view text, log_format& out) noexcept {
  for (log_format f : {log_format::text, log_format::json}) {
    if (text == to_string(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

std::string_view to_string(log_format format) noexcept {
  return format == log_format::json ? "json" : "text";
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text.front());
    std::size_t n = utf8_length(text);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    } else if (n == 0) {
      out += "\\ufffd";
      n = 1;
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(std::max<std::size_t>(n, 1));
  }
  out += '"';
}

void request_log::format_request(std::string& line, std::string_view method,
                                 std::string_view target, unsigned status, std::size_t bytes,
                                 std::chrono::nanoseconds duration, std::string_view client,
                                 std::uint16_t client_port) const {
  // Without clients the query goes too: it may name one (an address, a scan id).
  std::string redacted;
  if (show_clients_) {
    target = target.substr(0, 2000);
  } else {
    target = target.substr(0, std::min(target.find('?'), std::size_t{2000}));
    if (redact_) target = redacted = redact_(target);
  }
  request_fields f{method, target, status, bytes, duration, client, client_port};
  if (format_ == log_format::json) {
    json_request(line, f, show_clients_);
  } else {
    text_request(line, f, show_clients_, journal_);
  }
}

std::string request_log::request_line(std::string_view method, std::string_view target,
                                      unsigned status, std::size_t bytes,
                                      std::chrono::nanoseconds duration, std::string_view client,
                                      std::uint16_t client_port) const {
  std::string line;
  format_request(line, method, target, status, bytes, duration, client, client_port);
  return line;
}

void request_log::request(std::string_view method, std::string_view target, unsigned status,
                          std::size_t bytes, std::chrono::nanoseconds duration,
                          std::string_view client, std::uint16_t client_port) const {
  if (!enabled(log_level::info)) return;
  thread_local std::string line;
  line.clear();
  format_request(line, method, target, status, bytes, duration, client, client_port);
  write_line(line);
}

std::string request_log::message_line(log_level l, std::string_view text) const {
  std::string line;
  if (format_ == log_format::json) {
    line += "{\"time\":\"";
    json_timestamp(line);
    fmt::format_to(std::back_inserter(line), "\",\"level\":\"{}\",\"event\":\"message\"",
                   to_string(l));
    json_field(line, "message", text);
    line += '}';
    return line;
  }
  if (journal_) {
    journal_priority(line, l);
  } else {
    timestamp(line);
  }
  line += to_string(l);
  line += ": ";
  line += text;
  return line;
}

// JOURNAL_STREAM is "DEVICE:INODE" of the journal's socket; it counts only when stderr is
// still that socket (a child whose stderr was redirected inherits the variable).
bool request_log::stderr_is_journal() noexcept {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || ::fstat(2, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

void request_log::message(log_level l, std::string_view text) const {
  if (!enabled(l)) return;
  std::string line = message_line(l, text);
  write_line(line);
}

}  // namespace breakwater::http
