// breakwater serve: the website and JSON API over HTTP and HTTPS.
#include "app/commands.hpp"
#include "app/exit_code.hpp"

#include "app/config.hpp"
#include "db/database_loader.hpp"
#include "http/host_rules.hpp"
#include "http/transport/certificate.hpp"
#include "http/transport/server.hpp"
#include "http/transport/tls.hpp"
#include "scan/probe_service.hpp"
#include "site/api_scans.hpp"
#include "site/scan_routes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

#include <stdexcept>
#include <thread>

namespace breakwater::app {
namespace {

struct serve_options {
  std::string config_file;
  std::vector<std::string> http, https;
  std::string state_dir, cert, key, log_level;
  unsigned threads = 0;
  std::size_t max_connections = 0, max_header_bytes = 0, max_body_bytes = 0;
  unsigned header_timeout_ms = 0, idle_timeout_ms = 0;
  bool defer_accept = true;
  std::vector<std::string> trusted_proxies, server_names, hidden_headers;
  std::string client_address_header;
  bool log_client_addresses = true;
  std::size_t max_connections_per_client = 0;
  std::string allow_loopback, prober;
  std::size_t scan_max_running = 0, scan_probes_per_hour = 0;
  bool print_config = false;
  CLI::App* cmd = nullptr;
  bool given(const char* name) const { return cmd->count(name) > 0; }
};

bool fail(std::string_view what) {
  fmt::print(stderr, "error: {}\n", what);
  return false;
}

bool apply_file(const serve_options& o, app::server_config& cfg) {
  if (o.config_file.empty()) return true;
  auto text = db::read_file(o.config_file);
  if (!text) return fail(fmt::format("cannot read config file {}: check the path", o.config_file));
  common::diagnostics problems;
  app::apply_config_toml(*text, o.config_file, cfg, problems);
  for (const common::diagnostic& d : problems)
    fmt::print(stderr, "error: {}\n", common::to_string(d));
  return problems.empty();
}

bool apply_addresses(const char* flag, const std::vector<std::string>& values,
                     std::vector<http::listen_address>& out) {
  auto parsed = http::parse_listen_list(values);
  if (!parsed)
    return fail(fmt::format("{} {}: {}", flag, fmt::join(values, " "), parsed.error().message()));
  out = std::move(*parsed);
  return true;
}

bool apply_flags(const serve_options& o, app::server_config& cfg) {
  if (o.given("--http") && !apply_addresses("--http", o.http, cfg.http)) return false;
  if (o.given("--https") && !apply_addresses("--https", o.https, cfg.https)) return false;
  if (o.given("--state-dir")) cfg.state_dir = o.state_dir;
  if (o.given("--cert")) cfg.cert_file = o.cert;
  if (o.given("--key")) cfg.key_file = o.key;
  if (o.given("--threads")) cfg.threads = o.threads;
  if (o.given("--log-level") && !http::parse_log_level(o.log_level, cfg.log)) {
    return fail("--log-level must be error, warn, info or debug");
  }
  http::limits& l = cfg.limits;
  if (o.given("--max-connections")) l.max_connections = o.max_connections;
  if (o.given("--max-header-bytes")) l.max_header_bytes = o.max_header_bytes;
  if (o.given("--max-body-bytes")) l.max_body_bytes = o.max_body_bytes;
  if (o.given("--header-timeout-ms"))
    l.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
  if (o.given("--idle-timeout-ms")) l.idle_timeout = std::chrono::milliseconds(o.idle_timeout_ms);
  if (o.given("--defer-accept")) l.defer_accept = o.defer_accept;
  if (o.given("--max-connections-per-client")) {
    l.max_connections_per_client = o.max_connections_per_client;
  }
  if (o.given("--log-client-addresses")) cfg.log_client_addresses = o.log_client_addresses;
  if (o.given("--trusted-proxy")) {
    auto list = common::parse_cidr_list(o.trusted_proxies);
    if (!list) return fail(fmt::format("--trusted-proxy {}", list.error()));
    cfg.trust.trusted_proxies = std::move(*list);
  }
  if (o.given("--client-address-header") &&
      !http::parse_client_header(o.client_address_header, cfg.trust.header)) {
    return fail("--client-address-header must be x-forwarded-for, forwarded, x-real-ip or none");
  }
  if (o.given("--server-name")) {
    auto names = http::normalise_server_names(o.server_names);
    if (!names) return fail(fmt::format("--server-name: {}", names.error()));
    cfg.server_names = std::move(*names);
  }
  if (o.given("--hidden-header")) cfg.hidden_headers = o.hidden_headers;
  if (o.given("--allow-loopback")) {
    if (o.allow_loopback == "auto") {
      cfg.scan.allow_loopback.reset();
    } else if (o.allow_loopback == "true" || o.allow_loopback == "false") {
      cfg.scan.allow_loopback = o.allow_loopback == "true";
    } else {
      return fail("--allow-loopback must be true, false or auto");
    }
  }
  if (o.given("--scan-max-running")) cfg.scan.max_running = o.scan_max_running;
  if (o.given("--prober")) cfg.scan.prober = *probe::parse_backend_kind(o.prober);  // checked
  if (o.given("--scan-probes-per-hour")) cfg.scan.probes_per_hour = o.scan_probes_per_hour;
  if (cfg.cert_file.empty() != cfg.key_file.empty()) {
    return fail("give both --cert and --key (PEM files), or neither for a self-signed certificate");
  }
  return true;
}

struct tls_setup {
  std::shared_ptr<boost::asio::ssl::context> context;
  http::cert_info cert;
};

bool prepare_tls(const app::server_config& cfg, const http::request_log& log, tls_setup& out) {
  if (cfg.https.empty()) return true;
  std::string cert = cfg.cert_file, key = cfg.key_file;
  if (cert.empty()) {
    auto made = http::ensure_self_signed(cfg.state_dir);
    if (!made) return fail(fmt::format("{}: {}", cfg.state_dir, made.error().message()));
    cert = made->cert;
    key = made->key;
    log.message(http::log_level::info, fmt::format("{} self-signed certificate {}",
                                                   made->created ? "created" : "using", cert));
  }
  if (http::readable_by_others(key)) {
    log.message(http::log_level::warn,
                fmt::format("the private key {} can be read by other users: chmod 600 it (or 640 "
                            "with a group only this service is in)",
                            key));
  }
  auto ctx = http::make_tls_context(cert, key);
  if (!ctx) return fail(fmt::format("{} / {}: {}", cert, key, ctx.error().message()));
  auto info = http::read_cert_info(cert);
  if (!info) return fail(fmt::format("{}: {}", cert, info.error().message()));
  out = {std::move(*ctx), std::move(*info)};
  return true;
}

scan::probe_service_options scan_options_of(const app::server_config& cfg) {
  scan::probe_service_options o;
  o.settings = cfg.scan;
  o.allow_loopback = app::scan_allows_loopback(cfg);
  return o;
}

std::string scan_metrics(const scan::service_stats& s) {
  return fmt::format(
      "# HELP breakwater_scans_running Scans of visitors' addresses running now.\n"
      "# TYPE breakwater_scans_running gauge\nbreakwater_scans_running {}\n"
      "# HELP breakwater_scans_kept Scans held in memory (running or finished, not expired).\n"
      "# TYPE breakwater_scans_kept gauge\nbreakwater_scans_kept {}\n"
      "# HELP breakwater_scans_started_total Scans started.\n"
      "# TYPE breakwater_scans_started_total counter\nbreakwater_scans_started_total {}\n"
      "# HELP breakwater_scans_refused_total Scans refused by a limit.\n"
      "# TYPE breakwater_scans_refused_total counter\nbreakwater_scans_refused_total {}\n"
      "# HELP breakwater_scan_probes_total Port probes sent by scans.\n"
      "# TYPE breakwater_scan_probes_total counter\nbreakwater_scan_probes_total {}\n",
      s.running, s.kept, s.started, s.refused, s.probes_sent);
}

std::string urls(const app::server_config& cfg) {
  std::vector<std::string> out;
  for (const auto& a : cfg.http) out.push_back("http://" + http::authority(a));
  for (const auto& a : cfg.https) out.push_back("https://" + http::authority(a));
  return fmt::format("{}", fmt::join(out, " "));
}

int run_serve(const serve_options& o, context& ctx) {
  app::server_config cfg = app::default_config();
  if (!apply_file(o, cfg) || !apply_flags(o, cfg)) return exit_bad_input;
  if (o.print_config) {
    fmt::print("{}", app::to_toml(cfg));
    return exit_ok;
  }
  if (cfg.http.empty() && cfg.https.empty()) {
    fail("both --http and --https are off: give at least one address to listen on");
    return exit_bad_input;
  }
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  http::request_log log(cfg.log, cfg.log_client_addresses);
  tls_setup tls;
  if (!prepare_tls(cfg, log, tls)) return exit_failure;

  site::site_options options;
  if (!cfg.http.empty()) options.http_port = cfg.http.front().port;
  if (!cfg.https.empty()) options.https_port = cfg.https.front().port;
  std::unique_ptr<http::metrics> stats;
  std::unique_ptr<scan::probe_service> scans;
  options.metrics_text = [&stats, &scans] {
    std::string text = stats->render();
    if (scans) text += scan_metrics(scans->stats());
    return text;
  };
  site::website site(*db, ctx.search(), std::move(options));
  if (cfg.scan.enabled) {
    try {
      scans = std::make_unique<scan::probe_service>(scan_options_of(cfg));
    } catch (const std::runtime_error& e) {
      fmt::print(stderr,
                 "error: the scan service cannot start: {}; run as root, or set prober = "
                 "\"connect\" in [scan]\n",
                 e.what());
      return exit_failure;
    }
    site::add_scan_api_routes(site, *scans);
    site::scan_page_options pages;
    pages.retention = std::chrono::duration_cast<std::chrono::minutes>(cfg.scan.keep_results);
    pages.hidden_headers = cfg.hidden_headers;
    site::add_scan_page_routes(site, *scans, *db, std::move(pages));
  }
  std::vector<std::string> labels;
  for (const http::route& r : site.routes().routes()) labels.push_back(r.pattern);
  unsigned workers =
      cfg.threads != 0 ? cfg.threads : std::max(1U, std::thread::hardware_concurrency());
  stats = std::make_unique<http::metrics>(workers, std::move(labels));

  http::server_parts parts{cfg, site, *stats, log, tls.context, tls.cert, workers, {}};
  parts.on_listening = [&] {
    log.message(http::log_level::warn,
                fmt::format("breakwater serve: listening on {} ({} worker thread{})", urls(cfg),
                            workers, workers == 1 ? "" : "s"));
  };
  if (auto ec = http::run_server(parts)) {
    fmt::print(stderr, "error: {}; choose other addresses with --http/--https\n", ec.message());
    return exit_failure;
  }
  log.message(http::log_level::warn, "breakwater serve: stopped");
  return exit_ok;
}

}  // namespace

void add_serve_command(CLI::App& app, context& ctx, int& status) {
  auto o = std::make_shared<serve_options>();
  CLI::App* cmd =
      app.add_subcommand("serve", "Serve the port pages and JSON API over HTTP and HTTPS");
  o->cmd = cmd;
  cmd->add_option("--config", o->config_file, "TOML configuration file (flags override it)");
  cmd->add_option("--http", o->http,
                  "HTTP listen address ADDR:PORT or [V6]:PORT, repeatable; off to disable (default "
                  "127.0.0.1:8080); append ,proxy-protocol for a listener behind a proxy that "
                  "sends PROXY headers");
  cmd->add_option("--https", o->https,
                  "HTTPS listen address, repeatable; off to disable (default 127.0.0.1:8443)");
  cmd->add_option("--state-dir", o->state_dir, "Where the self-signed certificate is kept");
  cmd->add_option("--cert", o->cert, "TLS certificate chain (PEM)");
  cmd->add_option("--key", o->key, "TLS private key (PEM)");
  cmd->add_option("--threads", o->threads, "Worker threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--log-level", o->log_level, "error, warn, info (one line per request) or debug");
  cmd->add_option("--max-connections", o->max_connections,
                  "Open connections before new ones get 503")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-header-bytes", o->max_header_bytes, "Largest request head (431 over it)")
      ->check(CLI::Range(1024, 1 << 20));
  cmd->add_option("--max-body-bytes", o->max_body_bytes, "Largest request body (413 over it)")
      ->check(CLI::Range(0, 64 << 20));
  cmd->add_option("--header-timeout-ms", o->header_timeout_ms,
                  "Time for a whole request head and the TLS handshake (408 after it)")
      ->check(CLI::Range(100, 3600000));
  cmd->add_option("--idle-timeout-ms", o->idle_timeout_ms,
                  "Time a keep-alive connection may wait for its next request")
      ->check(CLI::Range(100, 3600000));
  cmd->add_option("--defer-accept", o->defer_accept,
                  "true: the kernel holds a connection until its first bytes come (default)");
  cmd->add_option("--max-connections-per-client", o->max_connections_per_client,
                  "Open connections of one client (IPv4 address or IPv6 /64) before it gets 503")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--trusted-proxy", o->trusted_proxies,
                  "Address block (CIDR) of a proxy whose client-address header (and PROXY "
                  "header, on listeners marked ,proxy-protocol) names the client; repeatable");
  cmd->add_option("--client-address-header", o->client_address_header,
                  "The one header a trusted proxy names the client in: x-forwarded-for "
                  "(default), forwarded, x-real-ip or none");
  cmd->add_option("--server-name", o->server_names,
                  "A Host name this server answers to besides IP literals and localhost "
                  "(others get 421); repeatable");
  cmd->add_option("--hidden-header", o->hidden_headers,
                  "A request header /headers never shows; repeatable");
  cmd->add_option("--log-client-addresses", o->log_client_addresses,
                  "false: request lines show neither client addresses nor scan ids");
  cmd->add_option("--allow-loopback", o->allow_loopback,
                  "May scans probe loopback addresses: true, false or auto (only when every "
                  "listener is on loopback and no proxy is trusted)");
  cmd->add_option("--scan-max-running", o->scan_max_running,
                  "Scans running at once, all visitors together")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--scan-probes-per-hour", o->scan_probes_per_hour,
                  "Port probes one address (an IPv6 /64) may ask for per hour")
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--prober", o->prober,
                  "How scans probe ports: raw (SYNs from a raw socket; root or CAP_NET_RAW), "
                  "connect (a connect() per port), auto (raw when allowed)")
      ->check(CLI::IsMember({"auto", "connect", "raw"}));
  cmd->add_flag("--print-config", o->print_config,
                "Print the effective configuration as TOML and exit");
  cmd->callback([o, &ctx, &status] { status = run_serve(*o, ctx); });
}

}  // namespace breakwater::app
