// Reading and writing the configuration file (TOML), with file:line for every problem. The
// keys, their types and their validation are config_keys(): the flags use the same.
#include "app/config.hpp"
#include "app/config_keys.hpp"
#include "common/toml_fields.hpp"

#include <fmt/format.h>

#include <sstream>

namespace breakwater::app {
namespace {

using common::presence;

constexpr std::string_view tables[] = {"tls", "limits", "scan"};

std::vector<std::string_view> known_keys(std::string_view table) {
  std::vector<std::string_view> out;
  for (const config_key& k : config_keys())
    if (k.table == table) out.push_back(k.name);
  if (table.empty()) out.insert(out.end(), std::begin(tables), std::end(tables));
  // An old file's [scan] trusted_proxies gets its own message (read_table), not "unknown".
  if (table == "scan") out.push_back("trusted_proxies");
  return out;
}

std::optional<config_value> list_value(common::toml_fields& f, const config_key& k) {
  const toml::array* a = f.array(k.name, presence::optional);
  if (a == nullptr) return std::nullopt;
  std::vector<std::string> values;
  for (const toml::node& n : *a) {
    if (!n.is_string() || n.as_string()->get().empty()) {
      f.error(n, fmt::format("'{}' must be a list of strings such as {}", k.name, k.example));
      return std::nullopt;
    }
    values.push_back(n.as_string()->get());
  }
  return values;
}

// The node's value in the key's type, or nothing (with the problem reported) when it is not.
std::optional<config_value> value_of(common::toml_fields& f, const toml::node& n,
                                     const config_key& k) {
  switch (k.type) {
    case value_type::integer:
      if (auto v = f.integer(k.name, presence::optional)) return *v;
      return std::nullopt;
    case value_type::text:
      if (auto v = f.string(k.name, presence::optional)) return *v;
      return std::nullopt;
    case value_type::text_list: return list_value(f, k);
    case value_type::boolean:
      if (n.is_boolean()) return n.as_boolean()->get();
      f.error(n, fmt::format("'{}' must be true or false", k.name));
      return std::nullopt;
    case value_type::bool_or_auto:
      if (n.is_boolean()) return std::string(n.as_boolean()->get() ? "true" : "false");
      if (n.is_string()) return n.as_string()->get();
      f.error(n, fmt::format("'{}' must be true, false or \"auto\"", k.name));
      return std::nullopt;
  }
  return std::nullopt;
}

void read_table(const toml::table& t, std::string_view table, std::string_view file,
                server_config& cfg, common::diagnostics& problems) {
  std::string where = table.empty() ? std::string("the top level") : fmt::format("[{}]", table);
  common::toml_fields f(t, file, where, problems);
  if (table == "scan") {
    if (const toml::node* n = t.get("trusted_proxies")) {
      f.error(*n, "'trusted_proxies' moved out of [scan]: write it at the top level of the file");
    }
  }
  std::vector<std::string_view> known = known_keys(table);
  f.reject_unknown(known);
  for (const config_key& k : config_keys()) {
    if (k.table != table) continue;
    const toml::node* n = t.get(k.name);
    if (n == nullptr) continue;
    if (auto v = value_of(f, *n, k)) {
      if (auto wrong = k.set(cfg, *v)) f.error(*n, fmt::format("'{}': {}", k.name, *wrong));
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
  read_table(root, "", file, cfg, problems);
  common::toml_fields f(root, file, "the top level", problems);
  for (std::string_view table : tables) {
    if (const toml::table* t = f.table(table, presence::optional)) {
      read_table(*t, table, file, cfg, problems);
    }
  }
}

namespace {

void insert(toml::table& into, std::string_view key, const config_value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          toml::array a;
          for (const std::string& s : x) a.push_back(s);
          into.insert(key, std::move(a));
        } else {
          into.insert(key, x);
        }
      },
      v);
}

toml::table table_of(const server_config& cfg, std::string_view table) {
  toml::table out;
  for (const config_key& k : config_keys())
    if (k.table == table) insert(out, k.name, k.get(cfg));
  return out;
}

}  // namespace

std::string to_toml(const server_config& cfg) {
  std::ostringstream out;
  out << "# breakwater serve configuration (load with --config FILE)\n";
  out << "# trusted_proxies: address blocks whose client_address_header (x-forwarded-for,\n";
  out << "# forwarded, x-real-ip or none) and PROXY protocol lines (on listeners marked\n";
  out << "# \",proxy-protocol\") name the client; nobody else's are read.\n";
  out << "# server_names: Host names answered besides IP literals and localhost (others: 421).\n";
  out << table_of(cfg, "") << "\n\n";
  out << "# Empty cert and key: a self-signed certificate is created in state_dir.\n";
  out << "[tls]\n" << table_of(cfg, "tls") << "\n\n[limits]\n" << table_of(cfg, "limits") << "\n";
  out << "\n# The scan service. allow_loopback \"auto\": only when every listener is on "
         "loopback\n# and no proxy is trusted.\n";
  out << "# prober: \"raw\" sends SYNs from a raw socket (root or CAP_NET_RAW), \"connect\" "
         "uses connect(),\n# \"auto\" takes raw when allowed.\n";
  out << "[scan]\n" << table_of(cfg, "scan") << "\n";
  return out.str();
}

}  // namespace breakwater::app
