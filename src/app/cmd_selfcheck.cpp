// breakwater selfcheck: the caller's own address, tested through a breakwater server's
// public API over each address family, compared with a saved baseline. For cron: exit 0
// when nothing new is reachable, 3 when something is, 1 when the check could not run.
#include "app/api_error.hpp"
#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "app/selfcheck_snapshot.hpp"

#include "common/json_text.hpp"
#include "common/read_file.hpp"
#include "common/write_file.hpp"
#include "http/client.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

namespace breakwater::app {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int exit_new_reachable = 3;

// A failure as a result: spelled out, because the values here (a JSON value, an aggregate)
// could themselves be built from the message string.
struct failed_with {
  std::string text;
  template <typename T>
  operator boost::system::result<T, std::string>() && {  // NOLINT(google-explicit-constructor)
    return boost::system::result<T, std::string>(boost::system::in_place_error, std::move(text));
  }
};

struct selfcheck_options {
  std::string server;
  std::string ports = "common";
  bool ping = false, upnp = false;
  std::string baseline;
  bool save_baseline = false;
  std::string notify, notify_topic;
  bool json = false, only_v4 = false, only_v6 = false;
  std::string ca_file;
  bool insecure = false;
  unsigned timeout_s = 600;
};

// --ca and --insecure are about the breakwater server only (often one's own, self-signed).
http::client_request base_request(const selfcheck_options& o, http::ip_family f) {
  http::client_request r;
  r.family = f;
  r.ca_file = o.ca_file;
  r.verify = !o.insecure;
  r.timeout = 30s;
  return r;
}

boost::system::result<json::value, std::string> call(const selfcheck_options& o, http::ip_family f,
                                                     std::string method, std::string path,
                                                     std::string body = {}) {
  http::client_request r = base_request(o, f);
  r.method = std::move(method);
  r.url = o.server + path;
  if (!body.empty()) {
    r.body = std::move(body);
    r.content_type = "application/json";
  }
  auto res = http::fetch(r);
  if (!res) return failed_with{res.error()};
  if (res->status >= 300) return failed_with{api_error_text(*res)};
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  if (ec) return failed_with{fmt::format("the server's answer is not JSON ({})", ec.message())};
  return v;
}

std::string scan_body(const selfcheck_options& o) {
  json::object b{{"ping", o.ping}, {"upnp", o.upnp}};
  if (!o.ports.empty() && o.ports != "none") b["ports"] = o.ports;
  return common::json_text(b);
}

// Starts the scan, then reads it every second (which also keeps it watched) until it ends.
boost::system::result<family_view, std::string> check_family(const selfcheck_options& o,
                                                             http::ip_family f) {
  auto started = call(o, f, "POST", "/api/v1/scans", scan_body(o));
  if (!started) return failed_with{started.error()};
  const json::value* id = started->as_object().if_contains("id");
  if (id == nullptr || !id->is_string()) return failed_with{"the server returned no scan id"};
  std::string path = fmt::format("/api/v1/scans/{}", std::string(id->as_string()));
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_s);
  while (std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1s);
    auto scan = call(o, f, "GET", path);
    if (!scan) return failed_with{scan.error()};
    const json::value* state = scan->as_object().if_contains("state");
    if (state == nullptr || !state->is_string()) return failed_with{"the scan has no state"};
    if (state->as_string() == "running") continue;
    if (state->as_string() != "done")
      return failed_with{fmt::format("the scan ended {}", std::string(state->as_string()))};
    return view_of_scan(*scan);
  }
  return failed_with{fmt::format("the scan did not finish within {} s (--timeout)", o.timeout_s)};
}

std::vector<http::ip_family> families(const selfcheck_options& o) {
  if (o.only_v4) return {http::ip_family::v4};
  if (o.only_v6) return {http::ip_family::v6};
  return http::families_of(o.server);
}

// Every family the server name has: one that fails is reported and left out of the snapshot.
boost::system::result<snapshot, std::string> take_snapshot(const selfcheck_options& o) {
  snapshot s{o.server, o.ports, {}, o.ping, o.upnp};
  std::vector<std::string> failures;
  auto fams = families(o);
  if (fams.empty()) return failed_with{fmt::format("cannot resolve the host of {}", o.server)};
  for (http::ip_family f : fams) {
    auto view = check_family(o, f);
    std::string name(http::to_string(f));
    if (view) {
      s.seen[name] = std::move(*view);
    } else {
      failures.push_back(fmt::format("{}: {}", name, view.error()));
      fmt::print(stderr, "warning: {}: {}\n", name, view.error());
    }
  }
  if (s.seen.empty())
    return failed_with{fmt::format("no family could be tested ({})", fmt::join(failures, "; "))};
  return s;
}

// Said of a family this run did not compare, so that its silence is not read as "no change".
std::string not_compared_sentence(const std::string& family, bool in_baseline, bool saving) {
  if (in_baseline)
    return fmt::format("{}: not tested this time, so not compared (its last view is kept)", family);
  return fmt::format(
      "{}: not in the baseline (it could not be tested then): what it exposes now is reported "
      "as new{}",
      family, saving ? "; recorded in the baseline now" : "");
}

void print_text(const snapshot& now, const comparison& diff, bool have_baseline, bool saving) {
  for (const auto& [family, v] : now.seen) {
    std::vector<std::string> open;
    for (std::uint16_t p : v.open) open.push_back(std::to_string(p));
    fmt::print("{} {}: open {}{}{}\n", family, v.address,
               open.empty() ? "none" : fmt::format("{}", fmt::join(open, ",")),
               v.ping_answered ? ", answers ping" : "", v.upnp_answered ? ", answers UPnP" : "");
  }
  if (!have_baseline) return;
  if (diff.changes.empty() && !diff.compared.empty()) fmt::print("no change since the baseline\n");
  for (const change& c : diff.changes) fmt::print("{}\n", c.sentence());
  for (const std::string& family : diff.not_tested)
    fmt::print("{}\n", not_compared_sentence(family, true, saving));
  for (const std::string& family : diff.not_in_baseline)
    fmt::print("{}\n", not_compared_sentence(family, false, saving));
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

json::value summary_json(const snapshot& now, const comparison& diff) {
  json::array list;
  for (const change& c : diff.changes) {
    list.push_back({{"family", c.family},
                    {"change", c.what},
                    {"port", c.port},
                    {"text", c.sentence()},
                    {"new_reachable", c.newly_reachable()}});
  }
  return {{"snapshot", to_json(now)},
          {"changes", std::move(list)},
          {"not_tested", string_array(diff.not_tested)},
          {"not_in_baseline", string_array(diff.not_in_baseline)}};
}

// A plain JSON POST; ntfy's JSON publishing reads `topic`, `title` and `message` from it.
void notify(const selfcheck_options& o, const snapshot& now, const comparison& diff) {
  std::string text;
  for (const change& c : diff.changes) text += c.sentence() + "\n";
  json::object body = summary_json(now, diff).as_object();
  body["title"] = "breakwater: something new is reachable from the internet";
  body["message"] = text;
  if (!o.notify_topic.empty()) body["topic"] = o.notify_topic;
  // The webhook is another party (ntfy.sh, a chat service): the system's trust store and full
  // verification always, whatever --ca and --insecure say about the breakwater server.
  http::client_request r;
  r.timeout = 30s;
  r.method = "POST";
  r.url = o.notify;
  r.body = common::json_text(body);
  r.content_type = "application/json";
  auto res = http::fetch(r);
  if (!res)
    fmt::print(stderr, "warning: --notify {}: {}\n", o.notify, res.error());
  else if (res->status >= 300)
    fmt::print(stderr, "warning: --notify {}: answered {}\n", o.notify, res->status);
}

boost::system::result<snapshot, std::string> read_baseline(const std::string& file) {
  auto text = common::read_file(file);
  if (!text)
    return failed_with{
        fmt::format("cannot read the baseline {}: {}", file, text.error().message())};
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec) return failed_with{fmt::format("{} is not JSON: {}", file, ec.message())};
  auto s = snapshot_from_json(v);
  if (!s) return failed_with{fmt::format("{}: {}", file, s.error())};
  return s;
}

// Replaced whole: a run cut short (full disk, power, a kill) leaves the last baseline, never
// half of one that every later run would refuse as not JSON.
bool write_baseline(const std::string& file, const snapshot& s) {
  auto written = common::write_file_atomically(file, common::json_text(to_json(s)) + "\n");
  if (written) return true;
  fmt::print(stderr, "error: cannot write the baseline {}: {}\n", file, written.error().message());
  return false;
}

// The baseline was taken against another server or port list: no difference would mean
// anything. Without --save-baseline the run stops before any scan; with it, this run starts
// the baseline over.
bool may_start_over(const selfcheck_options& o, const std::string& differ) {
  if (!o.save_baseline) {
    fmt::print(stderr,
               "error: {}: {}, so nothing can be compared. Run with --save-baseline to start "
               "over with this run's settings, or give the baseline's\n",
               o.baseline, differ);
    return false;
  }
  fmt::print(stderr, "warning: {}: {}: nothing compared; this run starts the baseline over\n",
             o.baseline, differ);
  return true;
}

int run_selfcheck(const selfcheck_options& o) {
  if (o.save_baseline && o.baseline.empty()) {
    fmt::print(stderr, "error: --save-baseline needs --baseline FILE (where to write it)\n");
    return exit_bad_input;
  }
  std::optional<snapshot> before;
  // With --save-baseline a missing file is the first run; an existing one is compared first.
  bool first_run = o.save_baseline && !std::filesystem::exists(o.baseline);
  if (!o.baseline.empty() && !first_run) {
    auto b = read_baseline(o.baseline);
    if (!b) {
      fmt::print(stderr, "error: {} (write one with --save-baseline)\n", b.error());
      return exit_failure;
    }
    before = std::move(*b);
  }
  std::string differ = before ? settings_differ(*before, o.server, o.ports) : std::string{};
  if (!differ.empty()) {
    if (!may_start_over(o, differ)) return exit_bad_input;
    before.reset();
  }
  auto now = take_snapshot(o);
  if (!now) {
    fmt::print(stderr, "error: {}\n", now.error());
    return exit_failure;
  }
  comparison diff = before ? compare(*before, *now) : comparison{};
  if (o.json) {
    print_json(summary_json(*now, diff));
  } else {
    print_text(*now, diff, before.has_value(), o.save_baseline);
  }
  if (o.save_baseline && !write_baseline(o.baseline, before ? baseline_after(*before, *now) : *now))
    return exit_failure;
  bool news = std::any_of(diff.changes.begin(), diff.changes.end(),
                          [](const change& c) { return c.newly_reachable(); });
  if (news && !o.notify.empty()) notify(o, *now, diff);
  if (!differ.empty()) return exit_bad_input;  // saved, but cron's mail should say so once
  return news ? exit_new_reachable : exit_ok;
}

}  // namespace

void add_selfcheck_command(CLI::App& app, int& status) {
  auto o = std::make_shared<selfcheck_options>();
  CLI::App* cmd = app.add_subcommand(
      "selfcheck",
      "Test your own address through a breakwater server (both address families) and compare "
      "with a baseline: exit 0 nothing new is reachable, 3 something new is reachable, 1 could "
      "not run");
  cmd->add_option("--server", o->server, "The server's URL, e.g. https://ports.example.org")
      ->required()
      // "https://host/" and "https://host" are the same server (paths are added to it).
      ->transform([](std::string url) {
        while (url.ends_with('/') && url.find("://") + 3 < url.size()) url.pop_back();
        return url;
      });
  cmd->add_option("--ports", o->ports,
                  "Ports to test: common (default), service, all, none, or e.g. 22,80,8000-8100");
  cmd->add_flag("--ping", o->ping, "Also test whether your address answers ping");
  cmd->add_flag("--upnp", o->upnp, "Also test whether your router answers UPnP (SSDP)");
  cmd->add_option("--baseline", o->baseline, "The baseline file to compare with (or to write)");
  cmd->add_flag("--save-baseline", o->save_baseline,
                "Write this result as the new baseline (after comparing with the old one, if any)");
  CLI::Option* notify = cmd->add_option("--notify", o->notify,
                                        "POST a JSON summary here when something new is "
                                        "reachable (ntfy works)");
  cmd->add_option("--notify-topic", o->notify_topic, "With --notify: the ntfy topic")
      ->needs(notify);
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
  CLI::Option* v4 = cmd->add_flag("-4", o->only_v4, "IPv4 only");
  cmd->add_flag("-6", o->only_v6, "IPv6 only")->excludes(v4);
  cmd->add_option("--ca", o->ca_file,
                  "HTTPS: trust this CA bundle (PEM) for --server (--notify always uses the "
                  "system's)");
  cmd->add_flag("--insecure", o->insecure,
                "HTTPS: do not check --server's certificate (--notify's is always checked)");
  cmd->add_option("--timeout", o->timeout_s, "Seconds to wait for each scan (default 600)")
      ->check(CLI::Range(5, 86400));
  cmd->callback([o, &status] { status = run_selfcheck(*o); });
}

}  // namespace breakwater::app
