// Checks on the shipped copy of IANA's registry: it is the file whose checksum is recorded
// in data/iana/SHA256SUMS, and every one of its rows reached the database.
#pragma once

#include "common/diagnostic.hpp"
#include "db/database.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace breakwater::db {

struct registry_files {
  std::string_view csv;                  // the text of the shipped CSV
  std::string_view csv_name;             // for messages: data/iana/service-names-port-numbers.csv
  std::optional<std::string_view> sums;  // the text of SHA256SUMS, absent when missing
  std::string_view sums_name;
};

// `db` must have been loaded from `files.csv`. Reports a checksum that differs from the
// recorded one, and each row (by its line) that is not where readers look for it: on the
// page and JSON of every port it covers, or, for rows without a port, among the names
// that search finds.
common::diagnostics check_registry(const database& db, const registry_files& files);

// Reads both files from the data directory and runs check_registry.
common::diagnostics check_registry(const database& db, const std::filesystem::path& data_dir);

}  // namespace breakwater::db
