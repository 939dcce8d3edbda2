// Reads one curated entry (data/ports/N.toml) and checks everything a single file can show.
#pragma once

#include "common/diagnostic.hpp"
#include "db/entry.hpp"

#include <optional>
#include <string_view>

namespace breakwater::db {

struct entry_load {
  std::optional<entry> value;  // absent when the file has errors
  common::diagnostics problems;
};

// `file` is used in messages and must be named N.toml, where N is the entry's port.
entry_load parse_entry(std::string_view text, std::string_view file);

}  // namespace breakwater::db
