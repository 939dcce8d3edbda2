// Readers for the keys that port entries and range notes share: title, summary, body,
// transports, string lists, [[related]] and [[references]]. One set of rules for both.
#pragma once

#include "common/toml_fields.hpp"
#include "db/entry.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::db {

inline constexpr std::size_t max_summary = 160;
inline constexpr std::size_t max_title = 100;

// Paragraphs separated by blank lines, each squashed to one line.
std::vector<std::string> split_paragraphs(std::string_view body);

// Required title (1-100 characters), summary (one line, 1-160) and body.
void read_title_summary_body(common::toml_fields& f, std::string& title, std::string& summary,
                             std::vector<std::string>& paragraphs);

// Required, non-empty list of distinct transports.
std::vector<transport> read_transports(common::toml_fields& f);

// Optional list of strings, trimmed; lower-cased when `lower` (keywords), kept as written
// otherwise (software names are shown on pages).
std::vector<std::string> read_strings(common::toml_fields& f, std::string_view key, bool lower);

// One [[related]] item; `self` is the entry's own port (a range has none).
void read_related(const toml::table& t, std::string_view file, common::diagnostics& out,
                  std::optional<std::uint16_t> self, std::vector<related_port>& list);

// One [[references]] item; RFCs must be written "RFC N".
void read_reference(const toml::table& t, std::string_view file, common::diagnostics& out,
                    std::vector<reference>& list);

// Calls fn(table) for each item of the array of tables `key`; other items are reported.
template <typename Fn>
void for_each_table(common::toml_fields& f, std::string_view key, Fn fn) {
  const toml::array* list = f.array(key, common::presence::optional);
  if (list == nullptr) return;
  for (const toml::node& n : *list) {
    if (const toml::table* t = n.as_table()) {
      fn(*t);
    } else {
      f.error(n, "every item of '" + std::string(key) + "' must be a table ([[" + std::string(key) +
                     "]])");
    }
  }
}

}  // namespace breakwater::db
