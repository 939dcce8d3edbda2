// `breakwater probe TARGET`: scans one address with the probe engine, from the command line.
#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "app/probe_text.hpp"

#include "common/write_file.hpp"

#include "probe/engine.hpp"
#include "probe/make_backend.hpp"
#include "probe/result_json.hpp"
#include "probe/wire/icmp_history_text.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace breakwater::app {
namespace {

namespace asio = boost::asio;

struct probe_options {
  std::string target;
  std::string ports = "common";  // unless only --udp is given
  bool ports_given = false;
  std::string udp;
  bool ping = false;
  bool upnp = false;
  bool json = false;
  unsigned tries = 2;
  unsigned timeout_ms = 1000;
  double rate = 6000;
  unsigned rtt_ms = 0;
  unsigned recheck_ms = 20000;
  std::string prober = "auto";
};

// Where one run leaves the ICMP errors each target sent, for the next run: a target's rate
// limiter remembers them, and a scan right after another must know (see
// probe::engine::icmp_history). Root: /run/breakwater; others: $XDG_RUNTIME_DIR; else none.
std::filesystem::path icmp_history_file() {
  std::filesystem::path dir;
  if (::geteuid() == 0) {
    dir = "/run/breakwater";
  } else if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg != 0) {
    dir = std::filesystem::path(xdg) / "breakwater";
  } else {
    return {};
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return {};
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  return dir / "icmp-history";
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Best effort: without the file, a scan right after another may only be slower to trust.
// Replaced whole: two probes at once, or one killed mid-write, never leave half a history.
void save_icmp_history(const std::filesystem::path& file, const asio::ip::address& target,
                       std::optional<probe::icmp_bucket> bucket) {
  if (file.empty()) return;
  std::string text = probe::update_icmp_history(read_text(file), target, bucket,
                                                probe::clock::now() - std::chrono::seconds(10));
  (void)common::write_file_atomically(file, text);
}

std::optional<probe::scan_request> make_request(const probe_options& o) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.target, ec);
  if (ec) {
    fmt::print(stderr,
               "error: TARGET must be one IPv4 or IPv6 address (e.g. 198.18.0.2 or 2001:2::2), "
               "not '{}'\n",
               o.target);
    return std::nullopt;
  }
  probe::scan_request r;
  r.target = address;
  if (o.ports_given || o.udp.empty()) {
    auto ports = probe::parse_port_set(o.ports);
    if (!ports) {
      fmt::print(stderr, "error: --ports: {}\n", ports.error().message);
      return std::nullopt;
    }
    r.ports = std::move(*ports);
  }
  if (!o.udp.empty()) {
    auto udp = probe::parse_port_set(o.udp);
    if (!udp) {
      fmt::print(stderr, "error: --udp: {}\n", udp.error().message);
      return std::nullopt;
    }
    r.udp_ports = std::move(*udp);
  }
  r.options.tries = o.tries;
  r.options.rto.initial = std::chrono::milliseconds(o.timeout_ms);
  r.options.rto.ceiling = std::max(r.options.rto.ceiling, r.options.rto.initial);
  r.options.rate = o.rate;
  if (o.rtt_ms > 0) r.options.rtt_seed = std::chrono::milliseconds(o.rtt_ms);
  r.options.recheck_budget = std::chrono::milliseconds(o.recheck_ms);
  r.options.ping = o.ping;
  r.options.upnp = o.upnp;
  return r;
}

int run_probe(const probe_options& o) {
  auto request = make_request(o);
  if (!request) return exit_bad_input;
  asio::io_context ctx;
  auto backend = probe::make_backend(ctx.get_executor(),
                                     *probe::parse_backend_kind(o.prober));  // checked by CLI11
  if (!backend) {
    fmt::print(stderr, "error: --prober {}: {}; run as root or use --prober connect\n", o.prober,
               backend.error().message());
    return exit_failure;
  }
  probe::engine_options eo;
  eo.backend = std::move(*backend);
  probe::engine engine(ctx.get_executor(), eo);
  const auto history = icmp_history_file();
  const asio::ip::address target = request->target;
  if (!history.empty()) {
    if (auto b = probe::parse_icmp_history(read_text(history), target)) {
      engine.set_icmp_history(target, *b);
    }
  }
  bool live = !o.json && ::isatty(STDERR_FILENO) == 1;
  std::size_t open = 0, closed = 0;
  auto last_shown = std::chrono::steady_clock::time_point{};
  request->on_verdict = [&](const probe::port_result& p, const probe::scan_progress& pr) {
    // The progress line counts TCP and UDP alike: "open" is open either way.
    if (p.state == probe::port_state::open) ++open;
    if (p.state == probe::port_state::closed) ++closed;
    auto now = std::chrono::steady_clock::now();
    // A terminal line per 50 ms at most: a full scan decides thousands of ports a second.
    if (live && (now - last_shown > std::chrono::milliseconds(50) || pr.decided == pr.total)) {
      fmt::print(stderr, "{}", render_progress(pr.decided, pr.total, open, closed));
      last_shown = now;
    }
  };
  std::stop_source stop;
  request->stop = stop.get_token();
  // Ctrl-C ends the scan early and still prints what was found.
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop.request_stop();
  });
  std::optional<boost::system::result<probe::scan_result, probe::failure>> out;
  asio::co_spawn(
      ctx, engine.scan(std::move(*request)),
      [&](std::exception_ptr e, boost::system::result<probe::scan_result, probe::failure> r) {
        if (e) std::rethrow_exception(e);
        out = std::move(r);
        signals.cancel();
      });
  ctx.run();
  save_icmp_history(history, target, engine.icmp_history(target));
  if (live) fmt::print(stderr, "\r\033[K");
  if (out && !*out && out->error().code == probe::errc::bad_target) {
    fmt::print(stderr, "error: {}\n", out->error().message());
    return exit_bad_input;
  }
  if (!out || !*out) {
    fmt::print(stderr, "error: the scan could not run: {}\n",
               out ? out->error().message() : std::string("no result"));
    return exit_failure;
  }
  if (o.json) {
    print_json(probe::scan_to_json(**out));
  } else {
    fmt::print("{}", render_scan_text(**out));
  }
  // Stopped part-way by a failure: the verdicts found are printed, but the scan did not run
  // to the end.
  if ((*out)->stopped_by) {
    fmt::print(stderr, "error: the scan stopped part-way: {}\n", (*out)->stopped_by->message());
    return exit_failure;
  }
  return exit_ok;
}

}  // namespace

void add_probe_command(CLI::App& app, context&, int& status) {
  auto opts = std::make_shared<probe_options>();
  CLI::App* cmd = app.add_subcommand(
      "probe",
      "Probe one address: which TCP and UDP ports are open, closed or stealth; ping; UPnP");
  cmd->add_option("TARGET", opts->target, "IPv4 or IPv6 address to probe")->required();
  cmd->add_option("--ports", opts->ports,
                  "Ports: 443, 0-1055, 21,22,80-90, or a named set: common, service (0-1055), "
                  "file-sharing, all (default: common, or none when only --udp is given)")
      ->capture_default_str();
  cmd->add_option("--udp", opts->udp,
                  "UDP ports, in the same form, or udp-common: each gets its protocol's request "
                  "(DNS, NTP, SNMP...) and is called open, closed, filtered or no answer");
  cmd->add_flag("--ping", opts->ping, "Also send ICMP echo requests");
  cmd->add_flag("--upnp", opts->upnp, "Also send SSDP M-SEARCH requests to UDP port 1900");
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of text");
  cmd->add_option("--tries", opts->tries, "Tries per port before it is called stealth")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  cmd->add_option("--timeout-ms", opts->timeout_ms,
                  "Timeout of a first try before any round trip is measured")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  cmd->add_option("--rate", opts->rate, "New probes per second")
      ->check(CLI::Range(1.0, 1000000.0))
      ->capture_default_str();
  cmd->add_option("--rtt-ms", opts->rtt_ms,
                  "Known round-trip time to seed the timeouts (as the web service does)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--recheck-ms", opts->recheck_ms,
                  "Longest extra time to re-probe silent ports when ICMP errors are rate-limited")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  cmd->add_option("--prober", opts->prober,
                  "How ports are probed: raw (SYNs from a raw socket; root or CAP_NET_RAW), "
                  "connect (a connect() per port; no privilege), auto (raw when allowed)")
      ->check(CLI::IsMember({"auto", "connect", "raw"}))
      ->capture_default_str();
  cmd->callback([opts, cmd, &status] {
    opts->ports_given = cmd->count("--ports") > 0;
    status = run_probe(*opts);
  });
}

}  // namespace breakwater::app
