// Everything `breakwater db check` enforces, in one call (the shipped-data test runs it too).
#pragma once

#include "common/diagnostic.hpp"
#include "db/database_loader.hpp"

#include <filesystem>

namespace breakwater::db {

// The loader's problems, then the cross-checks of entries and range notes, the registry
// against its recorded checksum and its rows, and the chosen port lists.
common::diagnostics check_data(const loaded_database& loaded,
                               const std::filesystem::path& data_dir);

}  // namespace breakwater::db
