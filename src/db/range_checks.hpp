// Checks on range notes that one file alone cannot show (db check runs them).
#pragma once

#include "common/diagnostic.hpp"
#include "db/database.hpp"

namespace breakwater::db {

// Bodies under min_body_words, dangling related ports, and exclusive ranges that overlap.
// Shared sentences are found with the entries' (check_entries).
common::diagnostics check_ranges(const database& db);

}  // namespace breakwater::db
