// The server's configuration: embedded defaults, a TOML file (--config) and flags on top.
#pragma once

#include "db/diagnostic.hpp"
#include "probe/backend_kind.hpp"
#include "web/cidr.hpp"
#include "web/listen_address.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::web {

enum class log_level { error, warn, info, debug };

std::string_view to_string(log_level level) noexcept;
bool parse_log_level(std::string_view text, log_level& out) noexcept;

// Which header a trusted proxy names the client in. Exactly one is believed; the others are
// never read for the address, whatever they say.
enum class client_header { x_forwarded_for, forwarded, x_real_ip, none };

std::string_view to_string(client_header h) noexcept;  // "x-forwarded-for", ...
bool parse_client_header(std::string_view text, client_header& out) noexcept;

// Whose word on the client's address counts (see client_address.hpp).
struct client_trust {
  cidr_list trusted_proxies;  // their header (and PROXY protocol lines) name the client
  client_header header = client_header::x_forwarded_for;
};

struct limits {
  std::size_t max_header_bytes = 8 * 1024;           // request line and headers; over it: 431
  std::size_t max_body_bytes = 64 * 1024;            // over it: 413
  std::chrono::milliseconds header_timeout{10'000};  // whole request head (and TLS handshake)
  std::chrono::milliseconds idle_timeout{30'000};    // between keep-alive requests
  std::size_t max_connections = 4096;                // over it: 503 and close
  // Per client (an IPv4 address or an IPv6 /64; trusted proxies are not counted): one
  // visitor cannot take every connection. Over it: 503 (HTTPS: closed before the handshake).
  std::size_t max_connections_per_client = 64;
  // The kernel hands over a connection only once its first bytes came (TCP_DEFER_ACCEPT,
  // for up to the header timeout, as Apache does by default): a client that connects and
  // says nothing costs no slot, no wakeup and no timer here.
  bool defer_accept = true;
};

// The scan service ([scan] in the file): how long results live, fair-use limits, rates and
// the target policy.
struct scan_settings {
  bool enabled = true;
  std::chrono::seconds keep_results{30 * 60};
  std::chrono::seconds idle_cancel{20};    // a running scan nobody watches is cancelled
  std::size_t max_running = 32;            // all visitors together
  std::size_t max_running_checks = 16;     // single-port checks, apart from max_running
  std::size_t max_running_per_holder = 1;  // per IPv4 address or IPv6 /64 (a /48: 4x)
  std::size_t max_kept = 20'000;           // results in memory, all visitors (oldest go first)
  std::size_t max_kept_per_holder = 64;    // the same per holder
  std::size_t probes_per_hour = 200'000;   // per IPv4 address or IPv6 /64 (a /48: 4x)
  std::size_t max_rate = 20'000;           // probes per second, all scans
  std::size_t scan_rate = 3'000;           // probes per second to one visitor
  std::size_t full_range_rate = 1'000;     // the same for the full range
  std::size_t max_in_flight = 16'384;      // probes out at once, all scans
  probe::backend_kind prober = probe::backend_kind::automatic;  // raw SYN when allowed
  // Unset ("auto"): only when every listener is on loopback and no proxy is trusted.
  std::optional<bool> allow_loopback;
};

struct server_config {
  std::vector<listen_address> http{{"127.0.0.1", 8080}};
  std::vector<listen_address> https{{"127.0.0.1", 8443}};
  std::string state_dir;  // where the self-signed certificate lives
  std::string cert_file;  // PEM; empty: self-signed in state_dir
  std::string key_file;
  unsigned threads = 0;  // 0: one per core
  log_level log = log_level::info;
  // false: the request log shows neither visitors' addresses nor scan ids.
  bool log_client_addresses = true;
  client_trust trust;
  // Host names this server answers to (besides IP literals and localhost); other Host
  // headers get 421, so a rebinding DNS name cannot reach it from a visitor's browser.
  std::vector<std::string> server_names;
  // Request headers /headers never shows (beside the built-in credentials and proxy ones).
  std::vector<std::string> hidden_headers;
  struct limits limits;
  scan_settings scan;
};

// Whether loopback targets may be probed: as configured, else only when every listener is
// on a loopback address and no proxy is trusted (the embedded default, so that a user can
// try it locally; behind a proxy every client would look like loopback).
bool scan_allows_loopback(const server_config& cfg);

// The default state directory: $XDG_STATE_HOME/breakwater, ~/.local/state/breakwater, or
// ./breakwater-state when there is no home.
std::string default_state_dir();

// The embedded defaults, with the state directory filled in.
server_config default_config();

// Applies the keys in `text` on top of `cfg`. Unknown keys and wrong values are reported
// as file:line in `problems`; `cfg` then holds whatever was valid.
void apply_config_toml(std::string_view text, std::string_view file, server_config& cfg,
                       db::diagnostics& problems);

// The configuration as TOML that apply_config_toml reads back to the same values.
std::string to_toml(const server_config& cfg);

}  // namespace breakwater::web
