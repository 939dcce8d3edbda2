// The server's configuration: embedded defaults, a TOML file (--config) and flags on top.
#pragma once

#include "common/cidr.hpp"
#include "common/diagnostic.hpp"
#include "http/options.hpp"
#include "http/request_log.hpp"
#include "scan/settings.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::app {

// Everything `serve` runs with: the HTTP server's options and the application's own.
struct server_config : http::server_options {
  std::string state_dir;  // where the self-signed certificate lives
  std::string cert_file;  // PEM; empty: self-signed in state_dir
  std::string key_file;
  unsigned threads = 0;  // 0: one per core
  http::log_level log = http::log_level::info;
  http::log_format log_format = http::log_format::text;  // json: one JSON object a line
  // false: the request log shows neither visitors' addresses nor scan ids.
  bool log_client_addresses = true;
  // Who may read /metrics (the client address, after trusted proxies); empty: anyone.
  common::cidr_list metrics_from;
  // Request headers /headers never shows (beside the built-in credentials and proxy ones).
  std::vector<std::string> hidden_headers;
  // This server under a name with only an A record and one with only an AAAA record,
  // normalised ("https://v4.ports.example.org"); both set: the scan pages test both families.
  std::string ipv4_origin;
  std::string ipv6_origin;
  scan::settings scan;
};

// Whether loopback targets may be probed: as configured, else only when every listener is
// on a loopback address and no proxy is trusted (the embedded default, so that a user can
// try it locally; behind a proxy every client would look like loopback).
bool scan_allows_loopback(const server_config& cfg);

// Whether every listener is on loopback (127.0.0.0/8, ::1), and there is one.
bool listens_on_loopback_only(const server_config& cfg);

// A warning for a site others reach (a listener not on loopback) with no server_names: every
// request by its DNS name gets 421, which a start would otherwise not mention.
std::optional<std::string> unnamed_site_warning(const server_config& cfg);

// What is wrong between reach test keys that are each valid alone, or nothing: a test must be
// kept at least as long as it is open, and the tests kept must have room for the open ones.
std::optional<std::string> check_reach_limits(const server_config& cfg);

// The same for the scan limits: a visitor's rate within the rate of all scans, a holder's
// running scans within all running scans.
std::optional<std::string> check_scan_limits(const server_config& cfg);

// What a start would refuse between keys that are each valid alone, or nothing: the one home
// of these checks, so that serve, --check-config and --print-config refuse the same files.
// Listeners (at least one; a PROXY listener only with a trusted proxy), certificate and key
// (both or neither), the sibling origins (both or neither, and different) and the reach test
// limits.
std::optional<std::string> check_consistency(const server_config& cfg);

// The default state directory: $XDG_STATE_HOME/breakwater, ~/.local/state/breakwater, or
// ./breakwater-state when there is no home.
std::string default_state_dir();

// The embedded defaults, with the state directory filled in.
server_config default_config();

// Applies the keys in `text` on top of `cfg`. Unknown keys and wrong values are reported
// as file:line in `problems`; `cfg` then holds whatever was valid.
void apply_config_toml(std::string_view text, std::string_view file, server_config& cfg,
                       common::diagnostics& problems);

// The configuration as TOML that apply_config_toml reads back to the same values.
std::string to_toml(const server_config& cfg);

}  // namespace breakwater::app
