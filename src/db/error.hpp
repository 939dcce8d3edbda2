// Errors that the database module returns at its edges, as boost::system::error_code.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace breakwater::db {

enum class errc {
  data_dir_missing = 1,  // the data directory does not exist
  registry_missing,      // data/iana/service-names-port-numbers.csv is absent
  registry_unreadable,   // a file could not be read
  registry_bad_header,   // the CSV does not start with IANA's column names
  no_valid_rows,         // an import found nothing worth keeping
  write_failed,          // the importer could not write its output
};

const boost::system::error_category& db_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), db_category()};
}

}  // namespace breakwater::db

template <>
struct boost::system::is_error_code_enum<breakwater::db::errc> : std::true_type {};
