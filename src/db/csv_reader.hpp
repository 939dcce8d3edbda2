// RFC 4180 CSV reader: quoted fields may hold commas, quotes ("") and line breaks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::db {

struct csv_record {
  std::size_t line = 0;  // line on which the record starts
  std::vector<std::string> fields;
};

struct csv_error {
  std::size_t line = 0;
  std::string message;
};

// Reads one record at a time, so a malformed record is reported and skipped while the
// rest of the file is still read.
class csv_reader {
 public:
  explicit csv_reader(std::string_view text) noexcept : text_(text) {}

  // False at the end of the input. A malformed record sets `error` (and returns true
  // with `record` holding what was read); the reader has then moved past that record.
  bool next(csv_record& record, csv_error& error);

 private:
  enum class step { field_done, record_done, malformed };
  step read_field(std::string& field, csv_error& error);
  step read_quoted(std::string& field, csv_error& error);
  step after_field();
  void skip_rest_of_line();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace breakwater::db
