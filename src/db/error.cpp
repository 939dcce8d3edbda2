#include "db/error.hpp"

#include <string>

namespace breakwater::db {
namespace {

// Boost gives error_category a protected non-virtual destructor by design; categories
// are static singletons that are never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "breakwater.db"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
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
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& db_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace breakwater::db
