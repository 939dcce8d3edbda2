// Loads the database from a data directory: iana/*.csv, ports/*.toml and ranges/*.toml.
#pragma once

#include "common/diagnostic.hpp"
#include "db/database.hpp"

#include <boost/system/result.hpp>

#include <filesystem>
#include <memory>

namespace breakwater::db {

inline constexpr std::string_view registry_file = "iana/service-names-port-numbers.csv";
inline constexpr std::string_view entries_dir = "ports";
inline constexpr std::string_view ranges_dir = "ranges";

struct loaded_database {
  std::unique_ptr<const database> db;
  common::diagnostics problems;  // skipped rows and rejected entries; the rest loaded
};

// Fails only when the registry is missing or unreadable; bad rows and entries are
// reported in `problems` and left out.
boost::system::result<loaded_database> load_database(const std::filesystem::path& data_dir);

}  // namespace breakwater::db
