// Reads one range note (data/ranges/NAME.toml) and checks everything a single file can show.
#pragma once

#include "common/diagnostic.hpp"
#include "db/range_note.hpp"

#include <optional>
#include <string_view>

namespace breakwater::db {

struct range_load {
  std::optional<range_note> value;  // absent when the file has errors
  common::diagnostics problems;
};

// `file` is used in messages; its name (lower-case letters, digits and dashes, then .toml)
// becomes the note's id.
range_load parse_range(std::string_view text, std::string_view file);

}  // namespace breakwater::db
