// breakwater serve: the website and JSON API over HTTP and HTTPS.
#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "common/cidr.hpp"
#include "common/read_file.hpp"

#include "app/config.hpp"
#include "app/config_keys.hpp"
#include "app/scan_metrics.hpp"
#include "app/service_manager.hpp"
#include "db/database_loader.hpp"
#include "http/host_rules.hpp"
#include "http/transport/certificate.hpp"
#include "http/transport/server.hpp"
#include "http/transport/tls.hpp"
#include "scan/probe_service.hpp"
#include "site/api_reach.hpp"
#include "site/api_scans.hpp"
#include "site/origins.hpp"
#include "site/private_paths.hpp"
#include "site/scan_routes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

namespace breakwater::app {
namespace {

struct serve_options {
  std::string config_file;
  // The text given to each flag of config_keys(), by flag name.
  std::map<std::string_view, std::vector<std::string>> values;
  bool print_config = false;
  bool check_config = false;
  CLI::App* cmd = nullptr;
  bool given(std::string_view name) const { return cmd->count(std::string(name)) > 0; }
};

bool fail(std::string_view what) {
  fmt::print(stderr, "error: {}\n", what);
  return false;
}

bool apply_file(const serve_options& o, app::server_config& cfg) {
  if (o.config_file.empty()) return true;
  auto text = common::read_file(o.config_file);
  if (!text) return fail(fmt::format("cannot read config file {}: check the path", o.config_file));
  common::diagnostics problems;
  app::apply_config_toml(*text, o.config_file, cfg, problems);
  for (const common::diagnostic& d : problems)
    fmt::print(stderr, "error: {}\n", common::to_string(d));
  return problems.empty();
}

// Every flag given goes through its key's validator, the one the configuration file uses.
bool apply_flags(const serve_options& o, app::server_config& cfg) {
  for (const config_key& k : config_keys()) {
    if (k.flag.empty() || !o.given(k.flag)) continue;
    const std::vector<std::string>& texts = o.values.at(k.flag);
    std::string wrong;
    auto v = value_from_flag(k, texts, wrong);
    if (!v) return fail(fmt::format("{} {}: {}", k.flag, fmt::join(texts, " "), wrong));
    if (auto e = k.set(cfg, *v)) {
      return fail(fmt::format("{} {}: {}", k.flag, fmt::join(texts, " "), *e));
    }
  }
  return true;
}

// A private key other users can read, said at start, on SIGHUP and by --check-config.
std::optional<std::string> key_exposure(const std::string& key) {
  if (!http::readable_by_others(key)) return std::nullopt;
  return fmt::format(
      "the private key {} can be read by other users: chmod 600 it (or 640, with a group the "
      "service joins)",
      key);
}

// The certificate and key to serve, read now: the given files, or the self-signed pair in
// the state directory (made again when missing or expired). On failure, what was wrong and
// what to do about it.
boost::system::result<std::shared_ptr<const http::tls_identity>> load_tls(
    const app::server_config& cfg, const http::request_log& log, std::string& wrong) {
  std::string cert = cfg.cert_file, key = cfg.key_file;
  if (cert.empty()) {
    auto made = http::ensure_self_signed(cfg.state_dir);
    if (!made) {
      wrong = fmt::format("{}: {}", cfg.state_dir, made.error().message());
      return made.error();
    }
    cert = made->cert;
    key = made->key;
    log.message(http::log_level::info, fmt::format("{} self-signed certificate {}",
                                                   made->created ? "created" : "using", cert));
  }
  if (auto exposed = key_exposure(key)) log.message(http::log_level::warn, *exposed);
  auto identity = http::load_tls_identity(cert, key);
  if (!identity) wrong = fmt::format("{} / {}: {}", cert, key, identity.error().message());
  return identity;
}

// What is wrong with a certificate's dates, or nothing: out of date (every browser refuses
// it), or near its end (a renewal that failed). Said at start, by --check-config and on
// SIGHUP.
constexpr long days_of_warning = 14;
std::optional<std::string> date_problem(const http::cert_info& c) {
  if (c.expired()) return fmt::format("the certificate {} expired on {}", c.subject, c.not_after);
  if (c.not_yet_valid) {
    return fmt::format("the certificate {} is not valid before {}", c.subject, c.not_before);
  }
  if (c.days_left < days_of_warning) {
    return fmt::format("the certificate {} expires on {} (in {} day{}): renew it", c.subject,
                       c.not_after, c.days_left, c.days_left == 1 ? "" : "s");
  }
  return std::nullopt;
}

// At start-up a certificate that cannot be loaded stops the server: it would refuse every
// HTTPS client. One out of date is served, with a warning: refusing to start would take
// the plain HTTP site down with it. Null when HTTPS is off.
bool prepare_tls(const app::server_config& cfg, const http::request_log& log,
                 std::unique_ptr<http::tls_identity_store>& out) {
  if (cfg.https.empty()) return true;
  std::string wrong;
  auto identity = load_tls(cfg, log, wrong);
  if (!identity) return fail(wrong);
  if (auto problem = date_problem((*identity)->cert)) {
    log.message(http::log_level::warn,
                fmt::format("{}; browsers {} it", *problem,
                            (*identity)->cert.in_date() ? "will soon refuse" : "refuse"));
  }
  out = std::make_unique<http::tls_identity_store>(std::move(*identity));
  return true;
}

// SIGHUP (certbot's deploy hook, systemctl reload): new handshakes take the new certificate;
// one that cannot be loaded, or is out of date (a stale copy, a wrong file on one node),
// leaves the old one serving, and the log says what to fix.
void reload_tls(const app::server_config& cfg, const http::request_log& log,
                http::tls_identity_store* store) {
  if (store == nullptr) {
    log.message(http::log_level::warn, "SIGHUP: HTTPS is off, no certificate to reload");
    return;
  }
  std::string wrong;
  auto identity = load_tls(cfg, log, wrong);
  if (!identity) {
    log.message(http::log_level::warn,
                fmt::format("SIGHUP: certificate not reloaded, still serving the previous one: {}; "
                            "fix the files and send SIGHUP again",
                            wrong));
    return;
  }
  std::shared_ptr<const http::tls_identity> now = *identity;
  if (!now->cert.in_date()) {
    log.message(http::log_level::warn,
                fmt::format("SIGHUP: certificate not reloaded, still serving the previous one: "
                            "{}; install a current one and send SIGHUP again",
                            *date_problem(now->cert)));
    return;
  }
  if (auto soon = date_problem(now->cert)) log.message(http::log_level::warn, "SIGHUP: " + *soon);
  store->replace(std::move(*identity));
  log.message(http::log_level::info,
              fmt::format("SIGHUP: new connections get the certificate {} (valid until {}, "
                          "SHA-256 {})",
                          now->cert.subject, now->cert.not_after, now->cert.sha256));
}

// The sibling origins' names are this server's, so they are answered like server_names (no
// 421). check_consistency() has made sure they come as a pair.
void add_sibling_names(app::server_config& cfg) {
  for (const std::string& origin : {cfg.ipv4_origin, cfg.ipv6_origin}) {
    if (origin.empty()) continue;
    std::string host(site::origin_host(origin));
    if (common::parse_ip(host)) continue;  // IP literals are always answered
    auto& names = cfg.server_names;
    if (std::find(names.begin(), names.end(), host) == names.end()) names.push_back(host);
  }
}

// --check-config: what a start would refuse in the certificate and key, found without
// binding a socket or writing a file (a self-signed certificate is made only by a start).
int check_config(const app::server_config& cfg) {
  if (!cfg.cert_file.empty()) {
    const std::string what_to_do =
        "give a PEM certificate chain and its own private key (--cert/--key or [tls] cert and "
        "key), both readable by the user the service runs as";
    for (const std::string& file : {cfg.cert_file, cfg.key_file}) {
      if (!common::read_file(file)) {
        fail(
            fmt::format("cannot read {}: check the path and that the user the service runs as "
                        "may read it",
                        file));
        return exit_bad_input;
      }
    }
    if (auto ctx = http::make_tls_context(cfg.cert_file, cfg.key_file); !ctx) {
      fail(fmt::format("{} / {}: {}; {}", cfg.cert_file, cfg.key_file, ctx.error().message(),
                       what_to_do));
      return exit_bad_input;
    }
    auto info = http::read_cert_info(cfg.cert_file);
    if (!info) {
      fail(fmt::format("{}: {}; {}", cfg.cert_file, info.error().message(), what_to_do));
      return exit_bad_input;
    }
    if (auto problem = date_problem(*info)) fmt::print(stderr, "warning: {}\n", *problem);
    if (auto exposed = key_exposure(cfg.key_file)) fmt::print(stderr, "warning: {}\n", *exposed);
  }
  fmt::print("configuration OK\n");
  return exit_ok;
}

// Once at start: which prober scans use, and why not raw SYNs when it fell back, so that an
// operator who meant to grant CAP_NET_RAW sees that it did not take.
void log_prober(const http::request_log& log, const scan::probe_service& scans) {
  if (scans.prober() == probe::backend_kind::raw_syn) {
    log.message(http::log_level::warn, "breakwater serve: scans probe with raw SYNs");
  } else if (scans.prober_fallback_reason().empty()) {
    log.message(http::log_level::warn,
                "breakwater serve: scans probe with connect() (prober = \"connect\")");
  } else {
    log.message(http::log_level::warn,
                fmt::format("breakwater serve: scans probe with connect(), not raw SYNs: {}; "
                            "grant it CAP_NET_RAW for raw SYN probes, or set prober = "
                            "\"connect\" in [scan] to silence this",
                            scans.prober_fallback_reason()));
  }
}

scan::probe_service_options scan_options_of(const app::server_config& cfg) {
  scan::probe_service_options o;
  o.settings = cfg.scan;
  o.allow_loopback = app::scan_allows_loopback(cfg);
  return o;
}

std::string urls(const app::server_config& cfg) {
  std::vector<std::string> out;
  for (const auto& a : cfg.http) out.push_back("http://" + http::authority(a));
  for (const auto& a : cfg.https) out.push_back("https://" + http::authority(a));
  return fmt::format("{}", fmt::join(out, " "));
}

// SIGHUP's default action ends the process, and serve handles it only once run_server is up,
// after the slow start (the database, the certificate, the scan service). One sent before
// (systemctl reload, or certbot's deploy hook racing a restart) is held pending from here:
// threads started later inherit the mask, and run_server lets it through once its handler is
// in place, so the reload is then applied once. Applied, not dropped: the hook may have
// replaced the files after this start read them, and loading the same files again is
// harmless. A start that fails exits with it still held.
void hold_hangups() {
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &hup, nullptr);
}

int run_serve(const serve_options& o, context& ctx) {
  hold_hangups();
  app::server_config cfg = app::default_config();
  if (!apply_file(o, cfg) || !apply_flags(o, cfg)) return exit_bad_input;
  if (auto wrong = app::check_consistency(cfg)) {
    fail(*wrong);
    return exit_bad_input;
  }
  // Printed as configured: the sibling origins' names are added below, not written back.
  if (o.print_config) {
    fmt::print("{}", app::to_toml(cfg));
    return exit_ok;
  }
  add_sibling_names(cfg);
  const auto unnamed = app::unnamed_site_warning(cfg);
  if (o.check_config) {
    if (unnamed) fmt::print(stderr, "warning: {}\n", *unnamed);
    return check_config(cfg);
  }
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  // Without client addresses, scan ids (which identify a visitor) are hidden too.
  http::request_log log(cfg.log, cfg.log_client_addresses, site::without_scan_ids, cfg.log_format);
  if (unnamed) log.message(http::log_level::warn, *unnamed);
  std::unique_ptr<http::tls_identity_store> tls;
  // A configured certificate that cannot be loaded is bad input, as --check-config says (and
  // the unit does not restart on 2); a self-signed one that cannot be made is not.
  if (!prepare_tls(cfg, log, tls)) return cfg.cert_file.empty() ? exit_failure : exit_bad_input;

  site::site_options options;
  if (!cfg.http.empty()) options.http_port = cfg.http.front().port;
  if (!cfg.https.empty()) options.https_port = cfg.https.front().port;
  options.origins = {cfg.ipv4_origin, cfg.ipv6_origin};
  options.metrics_from = cfg.metrics_from;
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
                 "error: the scan service cannot start: {}; give it CAP_NET_RAW (or run as "
                 "root), or set prober = \"connect\" in [scan]\n",
                 e.what());
      return exit_failure;
    }
    log_prober(log, *scans);
    site::add_scan_api_routes(site, *scans);
    site::add_reach_routes(site, *scans);
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

  http::server_parts parts{cfg, site, *stats, log, tls.get(), workers, {}, {}, {}};
  const std::string serving = fmt::format("listening on {} ({} worker thread{})", urls(cfg),
                                          workers, workers == 1 ? "" : "s");
  parts.on_reload = [&] {
    notify_reloading();
    reload_tls(cfg, log, tls.get());
    notify_ready(serving);
  };
  parts.on_listening = [&] {
    log.message(http::log_level::warn, "breakwater serve: " + serving);
    notify_ready(serving);
  };
  parts.on_stopping = [] { notify_stopping(); };
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
  for (const config_key& k : config_keys()) {
    if (k.flag.empty()) continue;
    CLI::Option* opt = cmd->add_option(std::string(k.flag), o->values[k.flag], std::string(k.help));
    if (k.type != value_type::text_list) {
      opt->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    opt->type_name(k.type == value_type::integer        ? "N"
                   : k.type == value_type::boolean      ? "true|false"
                   : k.type == value_type::bool_or_auto ? "true|false|auto"
                                                        : "TEXT");
  }
  cmd->add_flag("--print-config", o->print_config,
                "Print the effective configuration as TOML and exit");
  cmd->add_flag("--check-config", o->check_config,
                "Validate the configuration (and the certificate and key, when given) without "
                "binding or writing anything; exit 0 (\"configuration OK\") or 2 with what is "
                "wrong");
  cmd->callback([o, &ctx, &status] { status = run_serve(*o, ctx); });
}

}  // namespace breakwater::app
