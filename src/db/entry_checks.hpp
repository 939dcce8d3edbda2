// Checks across all entries that one file alone cannot show (db check runs them).
#pragma once

#include "db/database.hpp"
#include "db/diagnostic.hpp"

namespace breakwater::db {

inline constexpr std::size_t min_body_words = 80;

// Dangling related ports, bodies under min_body_words, and sentences that appear in
// more than one entry.
diagnostics check_entries(const database& db);

}  // namespace breakwater::db
