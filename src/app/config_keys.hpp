// Every setting of `serve`, once: its TOML table and key, its flag, its help, its type and
// the one validator that both the configuration file and the command line go through.
#pragma once

#include "app/config.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace breakwater::app {

// What a source gives for one key: TOML's typed value, or a flag's text turned into one.
using config_value = std::variant<std::int64_t, bool, std::string, std::vector<std::string>>;

enum class value_type {
  integer,       // within [lo, hi]
  boolean,       // true or false
  text,          // a string
  text_list,     // a list of strings (a repeatable flag)
  bool_or_auto,  // true, false or "auto" (kept as text)
};

struct config_key {
  std::string_view table;    // "" for the top level, else "tls", "limits", "scan"
  std::string_view name;     // the TOML key
  std::string_view flag;     // "--max-connections"; empty: only in the file
  std::string_view help;     // for --help
  std::string_view example;  // text_list: an example list for messages ("[\"...\"]")
  value_type type = value_type::integer;
  std::int64_t lo = 0, hi = 0;  // integer: the accepted range
  // Checks `v` and stores it; on a wrong value returns what is wrong ("must be from 1 to
  // 256") and leaves `cfg` unchanged.
  std::function<std::optional<std::string>(server_config& cfg, const config_value& v)> set;
  std::function<config_value(const server_config& cfg)> get;  // for --print-config
};

// Every key, grouped by table, in the order --print-config writes them.
std::span<const config_key> config_keys();

// A flag's text as the value its key's type takes; nullopt with `error` set when it is not.
std::optional<config_value> value_from_flag(const config_key& key,
                                            const std::vector<std::string>& texts,
                                            std::string& error);

}  // namespace breakwater::app
