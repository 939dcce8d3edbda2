#include "db/error.hpp"

#include "common/error_category.hpp"

#include <string_view>

namespace breakwater::db {
namespace {

std::string_view describe(errc e) noexcept {
  switch (e) {
    case errc::data_dir_missing:
      return "data directory not found (pass --data DIR or set BREAKWATER_DATA)";
    case errc::registry_missing:
      return "IANA registry snapshot iana/service-names-port-numbers.csv not found in the "
             "data directory";
    case errc::registry_unreadable: return "file could not be read";
    case errc::registry_bad_header:
      return "not an IANA service-names-port-numbers CSV (the header row does not match)";
    case errc::no_valid_rows: return "no valid registry rows found";
    case errc::write_failed: return "could not write the output file";
  }
  return "unknown database error";
}

}  // namespace

const boost::system::error_category& db_category() noexcept {
  static const common::enum_category<errc> instance("breakwater.db", describe);
  return instance;
}

}  // namespace breakwater::db
