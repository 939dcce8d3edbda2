#include "db/data_checks.hpp"

#include "db/entry_checks.hpp"
#include "db/port_lists.hpp"
#include "db/range_checks.hpp"
#include "db/registry_checks.hpp"

namespace breakwater::db {

common::diagnostics check_data(const loaded_database& loaded,
                               const std::filesystem::path& data_dir) {
  common::diagnostics out = loaded.problems;
  auto append = [&out](common::diagnostics more) {
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  };
  const database& db = *loaded.db;
  append(check_entries(db));
  append(check_ranges(db));
  append(check_registry(db, data_dir));
  append(check_port_lists(db, data_dir));
  return out;
}

}  // namespace breakwater::db
