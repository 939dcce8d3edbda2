#include "db/range_checks.hpp"

#include "db/entry_checks.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::db {
namespace {

void check_exclusive(const database& db, common::diagnostics& out) {
  std::vector<const range_note*> exclusive;
  for (const range_note& r : db.ranges()) {
    if (r.exclusive) exclusive.push_back(&r);
  }
  std::sort(exclusive.begin(), exclusive.end(),
            [](const range_note* a, const range_note* b) { return a->lo < b->lo; });
  // Sorted by first port, each range need only be compared with the widest reach so far.
  const range_note* reach = nullptr;
  for (const range_note* r : exclusive) {
    if (reach != nullptr && r->lo <= reach->hi) {
      out.push_back({r->file, r->line,
                     fmt::format("exclusive range {}-{} overlaps exclusive range {}-{} ({})", r->lo,
                                 r->hi, reach->lo, reach->hi, reach->file)});
    }
    if (reach == nullptr || r->hi > reach->hi) reach = r;
  }
}

}  // namespace

common::diagnostics check_ranges(const database& db) {
  common::diagnostics out;
  for (const range_note& r : db.ranges()) {
    check_body_length(r.file, r.body_words(), out);
    check_related(db, r.file, r.related, out);
  }
  check_exclusive(db, out);
  return out;
}

}  // namespace breakwater::db
