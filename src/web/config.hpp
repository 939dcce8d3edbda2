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

struct limits {
  std::size_t max_header_bytes = 8 * 1024;           // request line and headers; over it: 431
  std::size_t max_body_bytes = 64 * 1024;            // over it: 413
  std::chrono::milliseconds header_timeout{10'000};  // whole request head (and TLS handshake)
  std::chrono::milliseconds idle_timeout{30'000};    // between keep-alive requests
  std::size_t max_connections = 4096;                // over it: 503 and close
  // The kernel hands over a connection only once its first bytes came (TCP_DEFER_ACCEPT,
  // for up to the header timeout, as Apache does by default): a client that connects and
  // says nothing costs no slot, no wakeup and no timer here.
  bool defer_accept = true;
};

// The scan service ([scan] in the file): how long results live, fair-use limits, rates, the
// target policy and the proxies whose client headers are believed.
struct scan_settings {
  bool enabled = true;
  std::chrono::seconds keep_results{30 * 60};
  std::chrono::seconds idle_cancel{20};   // a running scan nobody watches is cancelled
  std::size_t max_running = 32;           // all visitors together
  std::size_t probes_per_hour = 200'000;  // per address
  std::size_t max_rate = 20'000;          // probes per second, all scans
  std::size_t scan_rate = 3'000;          // probes per second to one visitor
  std::size_t full_range_rate = 1'000;    // the same for the full range
  std::size_t max_in_flight = 16'384;     // probes out at once, all scans
  probe::backend_kind prober = probe::backend_kind::automatic;  // raw SYN when allowed
  std::optional<bool> allow_loopback;  // unset ("auto"): only when every listener is loopback
  cidr_list trusted_proxies;           // X-Forwarded-For, Forwarded and PROXY from these only
};

struct server_config {
  std::vector<listen_address> http{{"127.0.0.1", 8080}};
  std::vector<listen_address> https{{"127.0.0.1", 8443}};
  std::string state_dir;  // where the self-signed certificate lives
  std::string cert_file;  // PEM; empty: self-signed in state_dir
  std::string key_file;
  unsigned threads = 0;  // 0: one per core
  log_level log = log_level::info;
  struct limits limits;
  scan_settings scan;
};

// Whether loopback targets may be probed: as configured, else only when every listener is
// on a loopback address (the embedded default, so that a user can try it locally).
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
