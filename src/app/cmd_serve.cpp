// breakwater serve: the website and JSON API over HTTP and HTTPS.
#include "app/commands.hpp"
#include "app/exit_code.hpp"

#include "db/database_loader.hpp"
#include "web/certificate.hpp"
#include "web/config.hpp"
#include "web/server.hpp"
#include "web/tls.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

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
  bool print_config = false;
  CLI::App* cmd = nullptr;
  bool given(const char* name) const { return cmd->count(name) > 0; }
};

bool fail(std::string_view what) {
  fmt::print(stderr, "error: {}\n", what);
  return false;
}

bool apply_file(const serve_options& o, web::server_config& cfg) {
  if (o.config_file.empty()) return true;
  auto text = db::read_file(o.config_file);
  if (!text) return fail(fmt::format("cannot read config file {}: check the path", o.config_file));
  db::diagnostics problems;
  web::apply_config_toml(*text, o.config_file, cfg, problems);
  for (const db::diagnostic& d : problems) fmt::print(stderr, "error: {}\n", db::to_string(d));
  return problems.empty();
}

bool apply_addresses(const char* flag, const std::vector<std::string>& values,
                     std::vector<web::listen_address>& out) {
  auto parsed = web::parse_listen_list(values);
  if (!parsed)
    return fail(fmt::format("{} {}: {}", flag, fmt::join(values, " "), parsed.error().message()));
  out = std::move(*parsed);
  return true;
}

bool apply_flags(const serve_options& o, web::server_config& cfg) {
  if (o.given("--http") && !apply_addresses("--http", o.http, cfg.http)) return false;
  if (o.given("--https") && !apply_addresses("--https", o.https, cfg.https)) return false;
  if (o.given("--state-dir")) cfg.state_dir = o.state_dir;
  if (o.given("--cert")) cfg.cert_file = o.cert;
  if (o.given("--key")) cfg.key_file = o.key;
  if (o.given("--threads")) cfg.threads = o.threads;
  if (o.given("--log-level") && !web::parse_log_level(o.log_level, cfg.log)) {
    return fail("--log-level must be error, warn, info or debug");
  }
  web::limits& l = cfg.limits;
  if (o.given("--max-connections")) l.max_connections = o.max_connections;
  if (o.given("--max-header-bytes")) l.max_header_bytes = o.max_header_bytes;
  if (o.given("--max-body-bytes")) l.max_body_bytes = o.max_body_bytes;
  if (o.given("--header-timeout-ms"))
    l.header_timeout = std::chrono::milliseconds(o.header_timeout_ms);
  if (o.given("--idle-timeout-ms")) l.idle_timeout = std::chrono::milliseconds(o.idle_timeout_ms);
  if (cfg.cert_file.empty() != cfg.key_file.empty()) {
    return fail("give both --cert and --key (PEM files), or neither for a self-signed certificate");
  }
  return true;
}

struct tls_setup {
  std::shared_ptr<boost::asio::ssl::context> context;
  web::cert_info cert;
};

bool prepare_tls(const web::server_config& cfg, const web::request_log& log, tls_setup& out) {
  if (cfg.https.empty()) return true;
  std::string cert = cfg.cert_file, key = cfg.key_file;
  if (cert.empty()) {
    auto made = web::ensure_self_signed(cfg.state_dir);
    if (!made) return fail(fmt::format("{}: {}", cfg.state_dir, made.error().message()));
    cert = made->cert;
    key = made->key;
    log.message(web::log_level::info, fmt::format("{} self-signed certificate {}",
                                                  made->created ? "created" : "using", cert));
  }
  auto ctx = web::make_tls_context(cert, key);
  if (!ctx) return fail(fmt::format("{} / {}: {}", cert, key, ctx.error().message()));
  auto info = web::read_cert_info(cert);
  if (!info) return fail(fmt::format("{}: {}", cert, info.error().message()));
  out = {std::move(*ctx), std::move(*info)};
  return true;
}

std::string urls(const web::server_config& cfg) {
  std::vector<std::string> out;
  for (const auto& a : cfg.http) out.push_back("http://" + web::to_string(a));
  for (const auto& a : cfg.https) out.push_back("https://" + web::to_string(a));
  return fmt::format("{}", fmt::join(out, " "));
}

int run_serve(const serve_options& o, context& ctx) {
  web::server_config cfg = web::default_config();
  if (!apply_file(o, cfg) || !apply_flags(o, cfg)) return exit_bad_input;
  if (o.print_config) {
    fmt::print("{}", web::to_toml(cfg));
    return exit_ok;
  }
  if (cfg.http.empty() && cfg.https.empty()) {
    fail("both --http and --https are off: give at least one address to listen on");
    return exit_bad_input;
  }
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  web::request_log log(cfg.log);
  tls_setup tls;
  if (!prepare_tls(cfg, log, tls)) return exit_failure;

  web::site_options options;
  if (!cfg.http.empty()) options.http_port = cfg.http.front().port;
  if (!cfg.https.empty()) options.https_port = cfg.https.front().port;
  std::unique_ptr<web::metrics> stats;
  options.metrics_text = [&stats] { return stats->render(); };
  web::site site(*db, ctx.search(), std::move(options));
  std::vector<std::string> labels;
  for (const web::route& r : site.routes().routes()) labels.push_back(r.pattern);
  unsigned workers =
      cfg.threads != 0 ? cfg.threads : std::max(1U, std::thread::hardware_concurrency());
  stats = std::make_unique<web::metrics>(workers, std::move(labels));

  web::server_parts parts{cfg, site, *stats, log, tls.context, tls.cert, workers, {}};
  parts.on_listening = [&] {
    log.message(web::log_level::warn,
                fmt::format("breakwater serve: listening on {} ({} worker thread{})", urls(cfg),
                            workers, workers == 1 ? "" : "s"));
  };
  if (auto ec = web::run_server(parts)) {
    fmt::print(stderr, "error: {}; choose other addresses with --http/--https\n", ec.message());
    return exit_failure;
  }
  log.message(web::log_level::warn, "breakwater serve: stopped");
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
                  "127.0.0.1:8080)");
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
  cmd->add_flag("--print-config", o->print_config,
                "Print the effective configuration as TOML and exit");
  cmd->callback([o, &ctx, &status] { status = run_serve(*o, ctx); });
}

}  // namespace breakwater::app
