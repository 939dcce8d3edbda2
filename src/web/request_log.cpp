#include "web/request_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <ctime>

namespace breakwater::web {
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

void request_log::request(std::string_view method, std::string_view target, unsigned status,
                          std::size_t bytes, std::chrono::nanoseconds duration,
                          std::string_view client, std::uint16_t client_port) const {
  if (!enabled(log_level::info)) return;
  thread_local std::string line;
  line.clear();
  timestamp(line);
  append_printable(line, method);
  line += ' ';
  append_printable(line, target.substr(0, 2000));
  bool v6 = client.find(':') != std::string_view::npos;
  fmt::format_to(std::back_inserter(line), " {} {}B {:.3f}ms {}{}{}:{}", status, bytes,
                 std::chrono::duration<double, std::milli>(duration).count(), v6 ? "[" : "", client,
                 v6 ? "]" : "", client_port);
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

}  // namespace breakwater::web
