#include "app/service_manager.hpp"

#include <systemd/sd-daemon.h>

#include <fmt/format.h>

#include <string>

namespace breakwater::app {
namespace {

// sd_notify(3): the manager reads one datagram of NAME=VALUE lines. A status line is one line:
// a newline in it would start a variable of its own.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void send(const std::string& message) {
  // 0: leave $NOTIFY_SOCKET set; the reload notifications use it again later.
  (void)sd_notify(0, message.c_str());
}

}  // namespace

void notify_ready(std::string_view status) {
  send(fmt::format("READY=1\nSTATUS={}", one_line(status)));
}

void notify_reloading() { send("RELOADING=1\nSTATUS=reloading the certificate"); }

void notify_stopping() { send("STOPPING=1\nSTATUS=stopping: finishing the requests in flight"); }

}  // namespace breakwater::app
