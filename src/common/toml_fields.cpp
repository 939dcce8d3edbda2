#include "common/toml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::common {

std::size_t line_of(const toml::node& node) noexcept { return node.source().begin.line; }

const toml::node* toml_fields::find(std::string_view key, presence p, std::string_view type) {
  const toml::node* node = table_.get(key);
  if (node == nullptr && p == presence::required) {
    error_here(fmt::format("missing required key '{}' ({}) in {}", key, type, where_));
  }
  return node;
}

std::optional<std::string> toml_fields::string(std::string_view key, presence p) {
  const toml::node* node = find(key, p, "string");
  if (node == nullptr) return std::nullopt;
  if (auto value = node->value<std::string>(); value && node->is_string()) return value;
  error(*node, fmt::format("'{}' must be a string", key));
  return std::nullopt;
}

std::optional<std::int64_t> toml_fields::integer(std::string_view key, presence p) {
  const toml::node* node = find(key, p, "integer");
  if (node == nullptr) return std::nullopt;
  if (node->is_integer()) return node->as_integer()->get();
  error(*node, fmt::format("'{}' must be a whole number", key));
  return std::nullopt;
}

std::optional<bool> toml_fields::boolean(std::string_view key, presence p) {
  const toml::node* node = find(key, p, "true or false");
  if (node == nullptr) return std::nullopt;
  if (node->is_boolean()) return node->as_boolean()->get();
  error(*node, fmt::format("'{}' must be true or false", key));
  return std::nullopt;
}

const toml::array* toml_fields::array(std::string_view key, presence p) {
  const toml::node* node = find(key, p, "array");
  if (node == nullptr) return nullptr;
  if (const toml::array* a = node->as_array()) return a;
  error(*node, fmt::format("'{}' must be an array", key));
  return nullptr;
}

const toml::table* toml_fields::table(std::string_view key, presence p) {
  const toml::node* node = find(key, p, "table");
  if (node == nullptr) return nullptr;
  if (const toml::table* t = node->as_table()) return t;
  error(*node, fmt::format("'{}' must be a table", key));
  return nullptr;
}

void toml_fields::reject_unknown(std::span<const std::string_view> known) {
  for (auto&& [key, node] : table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    out_.push_back({std::string(file_), key.source().begin.line,
                    fmt::format("unknown key '{}' in {} (allowed: {})", key.str(), where_,
                                fmt::join(known, ", "))});
  }
}

void toml_fields::error(const toml::node& at, std::string message) {
  out_.push_back({std::string(file_), line_of(at), std::move(message)});
}

void toml_fields::error_here(std::string message) {
  out_.push_back({std::string(file_), line_of(table_), std::move(message)});
}

std::optional<toml::table> parse_toml(std::string_view text, std::string_view file,
                                      diagnostics& problems) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& err) {
    problems.push_back({std::string(file), err.source().begin.line,
                        fmt::format("TOML syntax error: {}", err.description())});
    return std::nullopt;
  }
}

}  // namespace breakwater::common
