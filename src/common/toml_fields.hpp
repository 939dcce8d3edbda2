// Typed, line-located access to a TOML table that reports missing, mistyped and unknown keys.
#pragma once

#include "common/diagnostic.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace breakwater::common {

enum class presence { required, optional };

class toml_fields {
 public:
  // `where` names the table in messages ("[exposure]", "[[related]] entry").
  toml_fields(const toml::table& table, std::string_view file, std::string_view where,
              diagnostics& out) noexcept
      : table_(table), file_(file), where_(where), out_(out) {}

  std::optional<std::string> string(std::string_view key, presence p);
  std::optional<std::int64_t> integer(std::string_view key, presence p);
  std::optional<bool> boolean(std::string_view key, presence p);
  const toml::array* array(std::string_view key, presence p);
  const toml::table* table(std::string_view key, presence p);

  // Reports every key of the table that is not in `known`.
  void reject_unknown(std::span<const std::string_view> known);
  void reject_unknown(std::initializer_list<std::string_view> known) {
    reject_unknown(std::span<const std::string_view>(known.begin(), known.size()));
  }

  void error(const toml::node& at, std::string message);
  void error_here(std::string message);  // at the table itself

 private:
  const toml::node* find(std::string_view key, presence p, std::string_view type);

  const toml::table& table_;
  std::string_view file_;
  std::string_view where_;
  diagnostics& out_;
};

std::size_t line_of(const toml::node& node) noexcept;

// `text` parsed as TOML, or nothing with a "TOML syntax error" at its line in `problems`.
std::optional<toml::table> parse_toml(std::string_view text, std::string_view file,
                                      diagnostics& problems);

}  // namespace breakwater::common
