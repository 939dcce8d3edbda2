#include "app/config_keys.hpp"

#include "common/text.hpp"
#include "http/host_rules.hpp"
#include "probe/backend_kind.hpp"
#include "site/origins.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <type_traits>

namespace breakwater::app {
namespace {

using error = std::optional<std::string>;

template <typename T>
std::int64_t count_of(const T& field) {
  if constexpr (requires { field.count(); }) {
    return static_cast<std::int64_t>(field.count());
  } else {
    return static_cast<std::int64_t>(field);
  }
}

// An integer setting; `field` is a generic lambda returning a reference to its member, so
// that one accessor serves both reading and writing.
template <typename Field>
config_key integer(std::string_view table, std::string_view name, std::string_view flag,
                   std::string_view help, std::int64_t lo, std::int64_t hi, Field field) {
  config_key k{table, name, flag, help, {}, value_type::integer, lo, hi, {}, {}};
  k.set = [lo, hi, field](server_config& c, const config_value& v) -> error {
    std::int64_t n = std::get<std::int64_t>(v);
    if (n < lo || n > hi) return fmt::format("must be from {} to {}", lo, hi);
    auto& out = field(c);
    out = std::remove_reference_t<decltype(out)>(n);
    return std::nullopt;
  };
  k.get = [field](const server_config& c) -> config_value { return count_of(field(c)); };
  return k;
}

template <typename Field>
config_key boolean(std::string_view table, std::string_view name, std::string_view flag,
                   std::string_view help, Field field) {
  config_key k{table, name, flag, help, {}, value_type::boolean, 0, 0, {}, {}};
  k.set = [field](server_config& c, const config_value& v) -> error {
    field(c) = std::get<bool>(v);
    return std::nullopt;
  };
  k.get = [field](const server_config& c) -> config_value { return field(c); };
  return k;
}

template <typename Field>
config_key text(std::string_view table, std::string_view name, std::string_view flag,
                std::string_view help, Field field) {
  config_key k{table, name, flag, help, {}, value_type::text, 0, 0, {}, {}};
  k.set = [field](server_config& c, const config_value& v) -> error {
    field(c) = std::get<std::string>(v);
    return std::nullopt;
  };
  k.get = [field](const server_config& c) -> config_value { return field(c); };
  return k;
}

config_key listeners(std::string_view name, std::string_view flag, std::string_view help,
                     std::vector<http::listen_address> server_config::*member) {
  config_key k{"", name, flag, help, "[\"127.0.0.1:8080\"]", value_type::text_list, 0, 0, {}, {}};
  k.set = [member](server_config& c, const config_value& v) -> error {
    auto parsed = http::parse_listen_list(std::get<std::vector<std::string>>(v));
    if (!parsed) return parsed.error().message();
    c.*member = std::move(*parsed);
    return std::nullopt;
  };
  k.get = [member](const server_config& c) -> config_value {
    std::vector<std::string> out;
    for (const http::listen_address& a : c.*member) out.push_back(to_string(a));
    return out;
  };
  return k;
}

using strings = std::vector<std::string>;

// A key with its own parsing and printing: `set` returns what is wrong, `get` the value.
config_key custom(std::string_view table, std::string_view name, std::string_view flag,
                  std::string_view help, value_type type, std::string_view example,
                  decltype(config_key::set) set, decltype(config_key::get) get) {
  return {table, name, flag, help, example, type, 0, 0, std::move(set), std::move(get)};
}

void add_server_keys(std::vector<config_key>& keys) {
  keys.push_back(listeners("http", "--http",
                           "HTTP listen address ADDR:PORT or [V6]:PORT, repeatable; off to "
                           "disable (default 127.0.0.1:8080); append ,proxy-protocol for a "
                           "listener behind a proxy that sends PROXY headers",
                           &server_config::http));
  keys.push_back(listeners("https", "--https",
                           "HTTPS listen address, repeatable; off to disable (default "
                           "127.0.0.1:8443)",
                           &server_config::https));
  keys.push_back(text(
      "", "state_dir", "--state-dir", "Where the self-signed certificate is kept",
      [](auto& c) -> auto& { return c.state_dir; }));
  keys.push_back(integer(
      "", "threads", "--threads", "Worker threads (0: one per core)", 0, 256,
      [](auto& c) -> auto& { return c.threads; }));
}

void add_log_keys(std::vector<config_key>& keys) {
  keys.push_back(custom(
      "", "log_level", "--log-level", "error, warn, info (one line per request) or debug",
      value_type::text, {},
      [](server_config& c, const config_value& v) -> error {
        if (http::parse_log_level(std::get<std::string>(v), c.log)) return std::nullopt;
        return "must be error, warn, info or debug";
      },
      [](const server_config& c) -> config_value { return std::string(to_string(c.log)); }));
  keys.push_back(custom(
      "", "log_format", "--log-format",
      "text (one line per request) or json (one JSON object per line, for a log stack)",
      value_type::text, {},
      [](server_config& c, const config_value& v) -> error {
        if (http::parse_log_format(std::get<std::string>(v), c.log_format)) return std::nullopt;
        return "must be text or json";
      },
      [](const server_config& c) -> config_value { return std::string(to_string(c.log_format)); }));
  keys.push_back(boolean(
      "", "log_client_addresses", "--log-client-addresses",
      "false: request lines show neither client addresses nor scan ids",
      [](auto& c) -> auto& { return c.log_client_addresses; }));
}

void add_trust_keys(std::vector<config_key>& keys) {
  keys.push_back(custom(
      "", "trusted_proxies", "--trusted-proxy",
      "Address block (CIDR) of a proxy whose client-address header (and PROXY header, on "
      "listeners marked ,proxy-protocol) names the client; repeatable",
      value_type::text_list, "[\"10.0.0.5\", \"2001:db8::5\"]",
      [](server_config& c, const config_value& v) -> error {
        auto list = http::parse_trusted_proxies(std::get<strings>(v));
        if (!list) return list.error();
        c.trust.trusted_proxies = std::move(*list);
        return std::nullopt;
      },
      [](const server_config& c) -> config_value {
        strings out;
        for (const common::cidr& b : c.trust.trusted_proxies.items()) out.push_back(to_string(b));
        return out;
      }));
  keys.push_back(custom(
      "", "client_address_header", "--client-address-header",
      "The one header a trusted proxy names the client in: x-forwarded-for (default), "
      "forwarded, x-real-ip or none",
      value_type::text, {},
      [](server_config& c, const config_value& v) -> error {
        if (http::parse_client_header(std::get<std::string>(v), c.trust.header))
          return std::nullopt;
        return "must be \"x-forwarded-for\", \"forwarded\", \"x-real-ip\" or \"none\"";
      },
      [](const server_config& c) -> config_value {
        return std::string(to_string(c.trust.header));
      }));
}

void add_site_keys(std::vector<config_key>& keys) {
  keys.push_back(custom(
      "", "server_names", "--server-name",
      "A Host name this server answers to besides IP literals and localhost (others get 421); "
      "repeatable",
      value_type::text_list, "[\"ports.example.org\"]",
      [](server_config& c, const config_value& v) -> error {
        auto checked = http::normalise_server_names(std::get<strings>(v));
        if (!checked) return checked.error();
        c.server_names = std::move(*checked);
        return std::nullopt;
      },
      [](const server_config& c) -> config_value { return c.server_names; }));
  keys.push_back(custom(
      "", "metrics_from", "--metrics-from",
      "Address block (CIDR) whose clients may read /metrics, repeatable; others get 404. "
      "Unset: anyone (it holds counts, no addresses)",
      value_type::text_list, "[\"127.0.0.1\", \"10.0.0.0/8\"]",
      [](server_config& c, const config_value& v) -> error {
        auto list = common::parse_cidr_list(std::get<strings>(v));
        if (!list) return list.error();
        c.metrics_from = std::move(*list);
        return std::nullopt;
      },
      [](const server_config& c) -> config_value {
        strings out;
        for (const common::cidr& b : c.metrics_from.items()) out.push_back(to_string(b));
        return out;
      }));
  keys.push_back(custom(
      "", "hidden_headers", "--hidden-header", "A request header /headers never shows; repeatable",
      value_type::text_list, "[\"x-internal-token\"]",
      [](server_config& c, const config_value& v) -> error {
        c.hidden_headers = std::get<strings>(v);
        return std::nullopt;
      },
      [](const server_config& c) -> config_value { return c.hidden_headers; }));
}

// ipv4_origin / ipv6_origin: a URL of this same server whose name has only that family's
// record; empty: not set.
config_key sibling_origin(std::string_view name, std::string_view flag, std::string_view help,
                          std::string server_config::*member) {
  return custom(
      "", name, flag, help, value_type::text, {},
      [member](server_config& c, const config_value& v) -> error {
        const std::string& url = std::get<std::string>(v);
        if (url.empty()) {
          c.*member = {};
          return std::nullopt;
        }
        auto origin = site::normalise_origin(url);
        if (!origin) return origin.error().message;
        c.*member = std::move(*origin);
        return std::nullopt;
      },
      [member](const server_config& c) -> config_value { return c.*member; });
}

void add_dual_stack_keys(std::vector<config_key>& keys) {
  keys.push_back(sibling_origin(
      "ipv4_origin", "--ipv4-origin",
      "URL of this server under a name with only an A record (https://v4.ports.example.org); "
      "with --ipv6-origin the scan pages test both families side by side",
      &server_config::ipv4_origin));
  keys.push_back(sibling_origin(
      "ipv6_origin", "--ipv6-origin",
      "URL of this server under a name with only an AAAA record "
      "(https://v6.ports.example.org); with --ipv4-origin the scan pages test both families",
      &server_config::ipv6_origin));
}

void add_tls_keys(std::vector<config_key>& keys) {
  keys.push_back(text(
      "tls", "cert", "--cert", "TLS certificate chain (PEM)",
      [](auto& c) -> auto& { return c.cert_file; }));
  keys.push_back(text(
      "tls", "key", "--key", "TLS private key (PEM)", [](auto& c) -> auto& { return c.key_file; }));
}

void add_limit_keys(std::vector<config_key>& keys) {
  keys.push_back(integer(
      "limits", "max_header_bytes", "--max-header-bytes", "Largest request head (431 over it)",
      1024, 1 << 20, [](auto& c) -> auto& { return c.limits.max_header_bytes; }));
  keys.push_back(integer(
      "limits", "max_body_bytes", "--max-body-bytes", "Largest request body (413 over it)", 0,
      64 << 20, [](auto& c) -> auto& { return c.limits.max_body_bytes; }));
  keys.push_back(integer(
      "limits", "header_timeout_ms", "--header-timeout-ms",
      "Time for a whole request head and the TLS handshake (408 after it)", 100, 3'600'000,
      [](auto& c) -> auto& { return c.limits.header_timeout; }));
  keys.push_back(integer(
      "limits", "idle_timeout_ms", "--idle-timeout-ms",
      "Time a keep-alive connection may wait for its next request", 100, 3'600'000,
      [](auto& c) -> auto& { return c.limits.idle_timeout; }));
  keys.push_back(integer(
      "limits", "max_connections", "--max-connections", "Open connections before new ones get 503",
      1, 1'000'000, [](auto& c) -> auto& { return c.limits.max_connections; }));
  keys.push_back(integer(
      "limits", "max_connections_per_client", "--max-connections-per-client",
      "Open connections of one client (IPv4 address or IPv6 /64; a /48: four times as many) "
      "before it gets 503",
      1, 1'000'000, [](auto& c) -> auto& { return c.limits.max_connections_per_client; }));
  keys.push_back(boolean(
      "limits", "defer_accept", "--defer-accept",
      "true: the kernel holds a connection until its first bytes come (default)",
      [](auto& c) -> auto& { return c.limits.defer_accept; }));
}

void add_scan_limit_keys(std::vector<config_key>& keys) {
  keys.push_back(boolean(
      "scan", "enabled", "", "", [](auto& c) -> auto& { return c.scan.enabled; }));
  keys.push_back(integer(
      "scan", "keep_results_s", "", "", 10, 7 * 24 * 3600,
      [](auto& c) -> auto& { return c.scan.keep_results; }));
  keys.push_back(integer(
      "scan", "idle_cancel_s", "", "", 1, 3600,
      [](auto& c) -> auto& { return c.scan.idle_cancel; }));
  keys.push_back(integer(
      "scan", "max_running", "--scan-max-running", "Scans running at once, all visitors together",
      1, 100'000, [](auto& c) -> auto& { return c.scan.max_running; }));
  keys.push_back(integer(
      "scan", "max_running_checks", "", "", 1, 100'000,
      [](auto& c) -> auto& { return c.scan.max_running_checks; }));
  keys.push_back(integer(
      "scan", "max_running_per_holder", "", "", 1, 1'000,
      [](auto& c) -> auto& { return c.scan.max_running_per_holder; }));
  keys.push_back(integer(
      "scan", "max_kept", "", "", 1, 10'000'000, [](auto& c) -> auto& { return c.scan.max_kept; }));
  keys.push_back(integer(
      "scan", "max_kept_per_holder", "", "", 1, 100'000,
      [](auto& c) -> auto& { return c.scan.max_kept_per_holder; }));
  // At least 64 MiB: the largest scan (every TCP and every UDP port) must fit while it runs.
  keys.push_back(integer(
      "scan", "max_kept_mib", "", "", 64, 1 << 20,
      [](auto& c) -> auto& { return c.scan.max_kept_mib; }));
  keys.push_back(integer(
      "scan", "probes_per_hour", "--scan-probes-per-hour",
      "Port probes one address (an IPv6 /64) may ask for per hour", 1, 100'000'000,
      [](auto& c) -> auto& { return c.scan.probes_per_hour; }));
}

void add_scan_rate_keys(std::vector<config_key>& keys) {
  keys.push_back(integer(
      "scan", "max_rate", "", "", 1, 10'000'000, [](auto& c) -> auto& { return c.scan.max_rate; }));
  keys.push_back(integer(
      "scan", "scan_rate", "", "", 1, 10'000'000,
      [](auto& c) -> auto& { return c.scan.scan_rate; }));
  keys.push_back(integer(
      "scan", "full_range_rate", "", "", 1, 10'000'000,
      [](auto& c) -> auto& { return c.scan.full_range_rate; }));
  keys.push_back(integer(
      "scan", "max_in_flight", "", "", 1, 1'000'000,
      [](auto& c) -> auto& { return c.scan.max_in_flight; }));
  keys.push_back(custom(
      "scan", "prober", "--prober",
      "How scans probe ports: raw (SYNs from a raw socket; root or CAP_NET_RAW), connect (a "
      "connect() per port), auto (raw when allowed)",
      value_type::text, {},
      [](server_config& c, const config_value& v) -> error {
        auto kind = probe::parse_backend_kind(std::get<std::string>(v));
        if (!kind) return "must be \"auto\", \"raw\" (root or CAP_NET_RAW) or \"connect\"";
        c.scan.prober = *kind;
        return std::nullopt;
      },
      [](const server_config& c) -> config_value {
        return std::string(probe::to_string(c.scan.prober));
      }));
  keys.push_back(custom(
      "scan", "allow_loopback", "--allow-loopback",
      "May scans probe loopback addresses: true, false or auto (only when every listener is on "
      "loopback and no proxy is trusted)",
      value_type::bool_or_auto, {},
      [](server_config& c, const config_value& v) -> error {
        const std::string& t = std::get<std::string>(v);
        if (t != "auto" && t != "true" && t != "false") return "must be true, false or \"auto\"";
        c.scan.allow_loopback = t == "auto" ? std::nullopt : std::optional<bool>(t == "true");
        return std::nullopt;
      },
      [](const server_config& c) -> config_value {
        if (c.scan.allow_loopback) return *c.scan.allow_loopback;
        return std::string("auto");
      }));
}

// The reach tests' limits, in [scan]: the service that runs scans runs them.
void add_reach_keys(std::vector<config_key>& keys) {
  keys.push_back(integer(
      "scan", "reach_expire_s", "", "", 10, 3600,
      [](auto& c) -> auto& { return c.scan.reach.open_for; }));
  keys.push_back(integer(
      "scan", "reach_keep_s", "", "", 10, 7 * 24 * 3600,
      [](auto& c) -> auto& { return c.scan.reach.kept_for; }));
  keys.push_back(integer(
      "scan", "reach_max_open_per_holder", "", "", 1, 1'000,
      [](auto& c) -> auto& { return c.scan.reach.max_open_per_holder; }));
  keys.push_back(integer(
      "scan", "reach_max_open", "", "", 1, 1'000'000,
      [](auto& c) -> auto& { return c.scan.reach.max_open; }));
  keys.push_back(integer(
      "scan", "reach_max_kept", "", "", 1, 10'000'000,
      [](auto& c) -> auto& { return c.scan.reach.max_kept; }));
}

std::vector<config_key> all_keys() {
  std::vector<config_key> keys;
  add_server_keys(keys);
  add_log_keys(keys);
  add_trust_keys(keys);
  add_site_keys(keys);
  add_dual_stack_keys(keys);
  add_tls_keys(keys);
  add_limit_keys(keys);
  add_scan_limit_keys(keys);
  add_scan_rate_keys(keys);
  add_reach_keys(keys);
  return keys;
}

std::optional<bool> parse_flag_boolean(std::string_view t) {
  for (std::string_view yes : {"true", "1", "yes", "on"})
    if (common::iequals(t, yes)) return true;
  for (std::string_view no : {"false", "0", "no", "off"})
    if (common::iequals(t, no)) return false;
  return std::nullopt;
}

}  // namespace

std::span<const config_key> config_keys() {
  static const std::vector<config_key> keys = all_keys();
  return keys;
}

std::optional<config_value> value_from_flag(const config_key& key,
                                            const std::vector<std::string>& texts,
                                            std::string& error) {
  if (key.type == value_type::text_list) return texts;
  const std::string& t = texts.empty() ? std::string() : texts.back();  // the last one counts
  switch (key.type) {
    case value_type::integer: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
      if (ec != std::errc{} || end != t.data() + t.size()) {
        error = fmt::format("must be a whole number from {} to {}", key.lo, key.hi);
        return std::nullopt;
      }
      return n;
    }
    case value_type::boolean:
      if (auto b = parse_flag_boolean(t)) return *b;
      error = "must be true or false";
      return std::nullopt;
    default: return t;
  }
}

}  // namespace breakwater::app
