#include "web/config.hpp"

#include <array>
#include <cstdlib>
#include <filesystem>

namespace breakwater::web {

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

std::string_view to_string(client_header h) noexcept {
  switch (h) {
    case client_header::x_forwarded_for: return "x-forwarded-for";
    case client_header::forwarded: return "forwarded";
    case client_header::x_real_ip: return "x-real-ip";
    case client_header::none: return "none";
  }
  return "none";
}

bool parse_client_header(std::string_view text, client_header& out) noexcept {
  for (client_header h : {client_header::x_forwarded_for, client_header::forwarded,
                          client_header::x_real_ip, client_header::none}) {
    if (text == to_string(h)) {
      out = h;
      return true;
    }
  }
  return false;
}

std::string default_state_dir() {
  if (const char* s = std::getenv("XDG_STATE_HOME"); s != nullptr && *s == '/') {
    return (std::filesystem::path(s) / "breakwater").string();
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/') {
    return (std::filesystem::path(h) / ".local" / "state" / "breakwater").string();
  }
  return "breakwater-state";
}

server_config default_config() {
  server_config cfg;
  cfg.state_dir = default_state_dir();
  return cfg;
}

}  // namespace breakwater::web

namespace breakwater::web {

bool scan_allows_loopback(const server_config& cfg) {
  if (cfg.scan.allow_loopback) return *cfg.scan.allow_loopback;
  if (!cfg.trust.trusted_proxies.empty()) return false;
  auto loopback = [](const listen_address& a) {
    auto ip = parse_ip(a.host);
    if (!ip) return false;
    if (ip->v6) {
      static constexpr std::array<std::uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0,
                                                        0, 0, 0, 0, 0, 0, 0, 1};
      return ip->bytes == one;
    }
    return ip->bytes[0] == 127;
  };
  bool any = false;
  for (const auto* list : {&cfg.http, &cfg.https}) {
    for (const listen_address& a : *list) {
      if (!loopback(a)) return false;
      any = true;
    }
  }
  return any;
}

}  // namespace breakwater::web
