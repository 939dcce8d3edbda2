// Reading and writing the configuration file (TOML), with file:line for every problem.
#include "app/config.hpp"
#include "common/toml_fields.hpp"
#include "http/host_rules.hpp"

#include <fmt/format.h>

#include <sstream>

namespace breakwater::app {

using common::cidr;
using http::client_header;
using http::client_trust;
using http::limits;
using http::listen_address;
using http::normalise_server_names;
using http::parse_client_header;
using http::parse_listen_list;
using http::parse_log_level;
namespace {

using common::presence;

void read_addresses(common::toml_fields& f, const toml::table& t, std::string_view key,
                    std::vector<listen_address>& out) {
  const toml::array* a = f.array(key, presence::optional);
  if (a == nullptr) return;
  std::vector<std::string> values;
  for (const toml::node& n : *a) {
    if (!n.is_string()) {
      f.error(n, fmt::format("'{}' must be a list of strings such as \"127.0.0.1:8080\"", key));
      return;
    }
    values.push_back(n.as_string()->get());
  }
  auto parsed = parse_listen_list(values);
  if (!parsed) {
    f.error(*t.get(key), fmt::format("'{}': {}", key, parsed.error().message()));
    return;
  }
  out = std::move(*parsed);
}

template <typename T>
void read_number(common::toml_fields& f, const toml::table& t, std::string_view key, T& out,
                 std::int64_t lo, std::int64_t hi) {
  auto v = f.integer(key, presence::optional);
  if (!v) return;
  if (*v < lo || *v > hi) {
    f.error(*t.get(key), fmt::format("'{}' must be from {} to {}", key, lo, hi));
    return;
  }
  out = static_cast<T>(*v);
}

void read_ms(common::toml_fields& f, const toml::table& t, std::string_view key,
             std::chrono::milliseconds& out) {
  std::int64_t ms = out.count();
  read_number(f, t, key, ms, 100, 3'600'000);
  out = std::chrono::milliseconds(ms);
}

void read_limits(const toml::table& t, std::string_view file, limits& l,
                 common::diagnostics& problems) {
  common::toml_fields f(t, file, "[limits]", problems);
  f.reject_unknown({"max_header_bytes", "max_body_bytes", "header_timeout_ms", "idle_timeout_ms",
                    "max_connections", "max_connections_per_client", "defer_accept"});
  read_number(f, t, "max_header_bytes", l.max_header_bytes, 1024, 1 << 20);
  read_number(f, t, "max_body_bytes", l.max_body_bytes, 0, 64 << 20);
  read_ms(f, t, "header_timeout_ms", l.header_timeout);
  read_ms(f, t, "idle_timeout_ms", l.idle_timeout);
  read_number(f, t, "max_connections", l.max_connections, 1, 1'000'000);
  read_number(f, t, "max_connections_per_client", l.max_connections_per_client, 1, 1'000'000);
  if (const toml::node* n = t.get("defer_accept")) {
    if (n->is_boolean()) {
      l.defer_accept = n->as_boolean()->get();
    } else {
      f.error(*n, "'defer_accept' must be true or false");
    }
  }
}

void read_tls(const toml::table& t, std::string_view file, server_config& cfg,
              common::diagnostics& problems) {
  common::toml_fields f(t, file, "[tls]", problems);
  f.reject_unknown({"cert", "key"});
  if (auto v = f.string("cert", presence::optional)) cfg.cert_file = *v;
  if (auto v = f.string("key", presence::optional)) cfg.key_file = *v;
}

void read_scan(const toml::table& t, std::string_view file, scan::settings& sc,
               common::diagnostics& problems) {
  common::toml_fields f(t, file, "[scan]", problems);
  if (const toml::node* n = t.get("trusted_proxies")) {
    f.error(*n, "'trusted_proxies' moved out of [scan]: write it at the top level of the file");
  }
  f.reject_unknown({"enabled", "keep_results_s", "idle_cancel_s", "max_running",
                    "max_running_checks", "max_running_per_holder", "max_kept",
                    "max_kept_per_holder", "probes_per_hour", "max_rate", "scan_rate",
                    "full_range_rate", "max_in_flight", "allow_loopback", "trusted_proxies",
                    "prober"});
  if (const toml::node* n = t.get("enabled")) {
    if (n->is_boolean()) {
      sc.enabled = n->as_boolean()->get();
    } else {
      f.error(*n, "'enabled' must be true or false");
    }
  }
  std::int64_t keep = sc.keep_results.count(), idle = sc.idle_cancel.count();
  read_number(f, t, "keep_results_s", keep, 10, 7 * 24 * 3600);
  read_number(f, t, "idle_cancel_s", idle, 1, 3600);
  sc.keep_results = std::chrono::seconds(keep);
  sc.idle_cancel = std::chrono::seconds(idle);
  read_number(f, t, "max_running", sc.max_running, 1, 100'000);
  read_number(f, t, "max_running_checks", sc.max_running_checks, 1, 100'000);
  read_number(f, t, "max_running_per_holder", sc.max_running_per_holder, 1, 1'000);
  read_number(f, t, "max_kept", sc.max_kept, 1, 10'000'000);
  read_number(f, t, "max_kept_per_holder", sc.max_kept_per_holder, 1, 100'000);
  read_number(f, t, "probes_per_hour", sc.probes_per_hour, 1, 100'000'000);
  read_number(f, t, "max_rate", sc.max_rate, 1, 10'000'000);
  read_number(f, t, "scan_rate", sc.scan_rate, 1, 10'000'000);
  read_number(f, t, "full_range_rate", sc.full_range_rate, 1, 10'000'000);
  read_number(f, t, "max_in_flight", sc.max_in_flight, 1, 1'000'000);
  if (const toml::node* n = t.get("prober")) {
    auto kind = n->is_string() ? probe::parse_backend_kind(n->as_string()->get()) : std::nullopt;
    if (kind) {
      sc.prober = *kind;
    } else {
      f.error(*n, "'prober' must be \"auto\", \"raw\" (root or CAP_NET_RAW) or \"connect\"");
    }
  }
  if (const toml::node* n = t.get("allow_loopback")) {
    if (n->is_boolean()) {
      sc.allow_loopback = n->as_boolean()->get();
    } else if (n->is_string() && n->as_string()->get() == "auto") {
      sc.allow_loopback.reset();
    } else {
      f.error(*n, "'allow_loopback' must be true, false or \"auto\"");
    }
  }
}

void read_strings(common::toml_fields& f, std::string_view key, std::string_view example,
                  std::vector<std::string>& out) {
  const toml::array* a = f.array(key, presence::optional);
  if (a == nullptr) return;
  std::vector<std::string> values;
  for (const toml::node& n : *a) {
    if (!n.is_string() || n.as_string()->get().empty()) {
      f.error(n, fmt::format("'{}' must be a list of strings such as {}", key, example));
      return;
    }
    values.push_back(n.as_string()->get());
  }
  out = std::move(values);
}

void read_trust(common::toml_fields& f, const toml::table& root, client_trust& trust) {
  std::vector<std::string> proxies;
  bool given = root.get("trusted_proxies") != nullptr;
  read_strings(f, "trusted_proxies", "[\"198.18.0.0/15\"]", proxies);
  if (given) {
    auto list = common::parse_cidr_list(proxies);
    if (list) {
      trust.trusted_proxies = std::move(*list);
    } else {
      f.error(*root.get("trusted_proxies"), list.error());
    }
  }
  if (auto v = f.string("client_address_header", presence::optional);
      v && !parse_client_header(*v, trust.header)) {
    f.error(*root.get("client_address_header"),
            "'client_address_header' must be \"x-forwarded-for\", \"forwarded\", "
            "\"x-real-ip\" or \"none\"");
  }
}

void read_boolean(common::toml_fields& f, const toml::table& t, std::string_view key, bool& out) {
  if (const toml::node* n = t.get(key)) {
    if (n->is_boolean()) {
      out = n->as_boolean()->get();
    } else {
      f.error(*n, fmt::format("'{}' must be true or false", key));
    }
  }
}

}  // namespace

void apply_config_toml(std::string_view text, std::string_view file, server_config& cfg,
                       common::diagnostics& problems) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    problems.push_back({std::string(file), e.source().begin.line, std::string(e.description())});
    return;
  }
  common::toml_fields f(root, file, "the top level", problems);
  f.reject_unknown({"http", "https", "state_dir", "threads", "log_level", "log_client_addresses",
                    "trusted_proxies", "client_address_header", "server_names", "hidden_headers",
                    "tls", "limits", "scan"});
  read_addresses(f, root, "http", cfg.http);
  read_addresses(f, root, "https", cfg.https);
  if (auto v = f.string("state_dir", presence::optional)) cfg.state_dir = *v;
  read_number(f, root, "threads", cfg.threads, 0, 256);
  if (auto v = f.string("log_level", presence::optional); v && !parse_log_level(*v, cfg.log)) {
    f.error(*root.get("log_level"), "'log_level' must be error, warn, info or debug");
  }
  read_boolean(f, root, "log_client_addresses", cfg.log_client_addresses);
  read_trust(f, root, cfg.trust);
  std::vector<std::string> names = cfg.server_names;
  read_strings(f, "server_names", "[\"ports.example.org\"]", names);
  if (auto checked = normalise_server_names(names)) {
    cfg.server_names = std::move(*checked);
  } else {
    f.error(*root.get("server_names"), checked.error());
  }
  read_strings(f, "hidden_headers", "[\"x-internal-token\"]", cfg.hidden_headers);
  if (const toml::table* t = f.table("tls", presence::optional)) read_tls(*t, file, cfg, problems);
  if (const toml::table* t = f.table("limits", presence::optional)) {
    read_limits(*t, file, cfg.limits, problems);
  }
  if (const toml::table* t = f.table("scan", presence::optional)) {
    read_scan(*t, file, cfg.scan, problems);
  }
}

namespace {

toml::array addresses(const std::vector<listen_address>& list) {
  toml::array a;
  for (const listen_address& l : list) a.push_back(to_string(l));
  return a;
}

toml::array strings(const std::vector<std::string>& list) {
  toml::array a;
  for (const std::string& s : list) a.push_back(s);
  return a;
}

toml::array strings(const common::cidr_list& list) {
  toml::array a;
  for (const cidr& c : list.items()) a.push_back(to_string(c));
  return a;
}

}  // namespace

std::string to_toml(const server_config& cfg) {
  const limits& l = cfg.limits;
  toml::table tls{{"cert", cfg.cert_file}, {"key", cfg.key_file}};
  toml::table lim{
      {"max_header_bytes", static_cast<std::int64_t>(l.max_header_bytes)},
      {"max_body_bytes", static_cast<std::int64_t>(l.max_body_bytes)},
      {"header_timeout_ms", static_cast<std::int64_t>(l.header_timeout.count())},
      {"idle_timeout_ms", static_cast<std::int64_t>(l.idle_timeout.count())},
      {"max_connections", static_cast<std::int64_t>(l.max_connections)},
      {"max_connections_per_client", static_cast<std::int64_t>(l.max_connections_per_client)},
      {"defer_accept", l.defer_accept}};
  toml::table top{{"http", addresses(cfg.http)},
                  {"https", addresses(cfg.https)},
                  {"state_dir", cfg.state_dir},
                  {"threads", static_cast<std::int64_t>(cfg.threads)},
                  {"log_level", std::string(to_string(cfg.log))},
                  {"log_client_addresses", cfg.log_client_addresses},
                  {"trusted_proxies", strings(cfg.trust.trusted_proxies)},
                  {"client_address_header", std::string(to_string(cfg.trust.header))},
                  {"server_names", strings(cfg.server_names)},
                  {"hidden_headers", strings(cfg.hidden_headers)}};
  const scan::settings& sc = cfg.scan;
  toml::table scan{{"enabled", sc.enabled},
                   {"keep_results_s", static_cast<std::int64_t>(sc.keep_results.count())},
                   {"idle_cancel_s", static_cast<std::int64_t>(sc.idle_cancel.count())},
                   {"max_running", static_cast<std::int64_t>(sc.max_running)},
                   {"max_running_checks", static_cast<std::int64_t>(sc.max_running_checks)},
                   {"max_running_per_holder", static_cast<std::int64_t>(sc.max_running_per_holder)},
                   {"max_kept", static_cast<std::int64_t>(sc.max_kept)},
                   {"max_kept_per_holder", static_cast<std::int64_t>(sc.max_kept_per_holder)},
                   {"probes_per_hour", static_cast<std::int64_t>(sc.probes_per_hour)},
                   {"max_rate", static_cast<std::int64_t>(sc.max_rate)},
                   {"scan_rate", static_cast<std::int64_t>(sc.scan_rate)},
                   {"full_range_rate", static_cast<std::int64_t>(sc.full_range_rate)},
                   {"max_in_flight", static_cast<std::int64_t>(sc.max_in_flight)},
                   {"prober", std::string(probe::to_string(sc.prober))}};
  if (sc.allow_loopback) {
    scan.insert("allow_loopback", *sc.allow_loopback);
  } else {
    scan.insert("allow_loopback", "auto");
  }
  std::ostringstream out;
  out << "# breakwater serve configuration (load with --config FILE)\n";
  out << "# trusted_proxies: address blocks whose client_address_header (x-forwarded-for,\n";
  out << "# forwarded, x-real-ip or none) and PROXY protocol lines (on listeners marked\n";
  out << "# \",proxy-protocol\") name the client; nobody else's are read.\n";
  out << "# server_names: Host names answered besides IP literals and localhost (others: 421).\n";
  out << top << "\n\n";
  out << "# Empty cert and key: a self-signed certificate is created in state_dir.\n";
  out << "[tls]\n" << tls << "\n\n[limits]\n" << lim << "\n";
  out << "\n# The scan service. allow_loopback \"auto\": only when every listener is on "
         "loopback\n# and no proxy is trusted.\n";
  out << "# prober: \"raw\" sends SYNs from a raw socket (root or CAP_NET_RAW), \"connect\" "
         "uses connect(),\n# \"auto\" takes raw when allowed.\n";
  out << "[scan]\n" << scan << "\n";
  return out.str();
}

}  // namespace breakwater::app
