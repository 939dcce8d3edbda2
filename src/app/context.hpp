// What every subcommand shares: global options and the database, loaded on first use.
#pragma once

#include "db/database_loader.hpp"
#include "db/search_index.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace breakwater::app {

class context {
 public:
  std::string data_dir_option;  // --data DIR, empty when not given
  bool quiet_problems = false;  // db check lists them itself

  // The data directory in use: --data, $BREAKWATER_DATA, next to an installed program,
  // or the source tree this program was built from.
  std::filesystem::path data_dir() const;
  // Whether that is the installed package's own directory (no --data, no $BREAKWATER_DATA):
  // an upgrade replaces it, so nothing should be written there.
  bool data_dir_is_installed() const;

  // Loads the database; on failure prints the reason and what to do, and returns null.
  // Problems in individual files are summarised as one warning (db check lists them).
  const db::database* database();
  const db::loaded_database* loaded() const { return loaded_ ? &*loaded_ : nullptr; }
  const db::search_index& search();

 private:
  std::optional<db::loaded_database> loaded_;
  std::unique_ptr<db::search_index> search_;
};

}  // namespace breakwater::app
