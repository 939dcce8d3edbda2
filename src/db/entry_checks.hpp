// Checks across all entries that one file alone cannot show (db check runs them).
#pragma once

#include "common/diagnostic.hpp"
#include "db/database.hpp"

namespace breakwater::db {

inline constexpr std::size_t min_body_words = 80;

// Dangling related ports, bodies under min_body_words, and sentences that appear in
// more than one entry or range note (range notes are written to the same rule).
common::diagnostics check_entries(const database& db);

// The rules entries and range notes share, one file at a time.
void check_related(const database& db, const std::string& file,
                   const std::vector<related_port>& related, common::diagnostics& out);
void check_body_length(const std::string& file, std::size_t words, common::diagnostics& out);

}  // namespace breakwater::db
