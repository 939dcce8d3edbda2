#include "app/config.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <filesystem>

namespace breakwater::app {

using http::listen_address;

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

}  // namespace breakwater::app

namespace breakwater::app {

bool scan_allows_loopback(const server_config& cfg) {
  if (cfg.scan.allow_loopback) return *cfg.scan.allow_loopback;
  if (!cfg.trust.trusted_proxies.empty()) return false;
  return listens_on_loopback_only(cfg);
}

std::optional<std::string> unnamed_site_warning(const server_config& cfg) {
  if (!cfg.server_names.empty() || listens_on_loopback_only(cfg)) return std::nullopt;
  return std::string(
      "server_names is empty: a request that names this server by a DNS name (its Host) is "
      "answered 421; list the site's names in server_names (--server-name)");
}

bool listens_on_loopback_only(const server_config& cfg) {
  auto loopback = [](const listen_address& a) {
    auto ip = common::parse_ip(a.host);
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

std::optional<std::string> check_reach_limits(const server_config& cfg) {
  const scan::reach_limits& r = cfg.scan.reach;
  if (r.kept_for < r.open_for) {
    return fmt::format(
        "[scan] reach_keep_s ({}) is shorter than reach_expire_s ({}): a reach test would be "
        "forgotten while still open; make reach_keep_s at least reach_expire_s",
        r.kept_for.count(), r.open_for.count());
  }
  if (r.max_kept < r.max_open) {
    return fmt::format(
        "[scan] reach_max_kept ({}) is less than reach_max_open ({}): every open reach test is "
        "kept in memory; make reach_max_kept at least reach_max_open",
        r.max_kept, r.max_open);
  }
  return std::nullopt;
}

std::optional<std::string> check_consistency(const server_config& cfg) {
  if (cfg.http.empty() && cfg.https.empty()) {
    return "http and https are both off (--http, --https): give at least one address to listen "
           "on";
  }
  if (cfg.cert_file.empty() != cfg.key_file.empty()) {
    return "[tls] cert and key work together: give both (--cert, --key; PEM files), or neither "
           "for a self-signed certificate";
  }
  if (cfg.ipv4_origin.empty() != cfg.ipv6_origin.empty()) {
    return "ipv4_origin and ipv6_origin work together: set both (--ipv4-origin, --ipv6-origin), "
           "or neither";
  }
  if (!cfg.ipv4_origin.empty() && cfg.ipv4_origin == cfg.ipv6_origin) {
    return "ipv4_origin and ipv6_origin are the same URL: give a name with only an A record and "
           "one with only an AAAA record";
  }
  // A PROXY listener hears only trusted proxies: with none, it would hang up on everyone.
  for (const auto* list : {&cfg.http, &cfg.https}) {
    for (const listen_address& a : *list) {
      if (a.proxy_protocol && cfg.trust.trusted_proxies.empty()) {
        return fmt::format(
            "{}:{} is marked ,proxy-protocol but no proxy is trusted: it would hang up on every "
            "connection; list the load balancer's addresses in trusted_proxies "
            "(--trusted-proxy)",
            a.is_v6() ? "[" + a.host + "]" : a.host, a.port);
      }
    }
  }
  if (auto wrong = check_scan_limits(cfg)) return wrong;
  return check_reach_limits(cfg);
}

std::optional<std::string> check_scan_limits(const server_config& cfg) {
  const scan::settings& s = cfg.scan;
  // The engine caps every scan by max_rate: a larger per-visitor rate would never be reached.
  for (auto [name, rate] :
       {std::pair{"scan_rate", s.scan_rate}, std::pair{"full_range_rate", s.full_range_rate}}) {
    if (rate > s.max_rate) {
      return fmt::format(
          "[scan] {} ({}) is above max_rate ({}), the rate of all scans together: lower it, or "
          "raise max_rate",
          name, rate, s.max_rate);
    }
  }
  if (s.max_running_per_holder > s.max_running) {
    return fmt::format(
        "[scan] max_running_per_holder ({}) is above max_running ({}), the scans of all visitors "
        "together: lower it, or raise max_running",
        s.max_running_per_holder, s.max_running);
  }
  return std::nullopt;
}

}  // namespace breakwater::app
