#include "db/csv_reader.hpp"

#include <fmt/format.h>

namespace breakwater::db {

bool csv_reader::next(csv_record& record, csv_error& error) {
  record.fields.clear();
  error = {};
  // A file ending in a line break has no record after it.
  if (pos_ >= text_.size()) return false;
  record.line = line_;
  for (;;) {
    std::string field;
    step s = read_field(field, error);
    record.fields.push_back(std::move(field));
    if (s == step::record_done) return true;
    if (s == step::malformed) {
      skip_rest_of_line();
      return true;
    }
  }
}

csv_reader::step csv_reader::read_field(std::string& field, csv_error& error) {
  if (pos_ < text_.size() && text_[pos_] == '"') return read_quoted(field, error);
  // Unquoted: read up to a comma or a line break; a stray quote is kept as text.
  std::size_t start = pos_;
  while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
    ++pos_;
  }
  field.assign(text_.substr(start, pos_ - start));
  return after_field();
}

csv_reader::step csv_reader::read_quoted(std::string& field, csv_error& error) {
  std::size_t opened_on = line_;
  ++pos_;  // opening quote
  for (;;) {
    if (pos_ >= text_.size()) {
      error = {opened_on, "quoted field is never closed (missing '\"')"};
      return step::malformed;
    }
    char c = text_[pos_++];
    if (c == '"') {
      if (pos_ < text_.size() && text_[pos_] == '"') {
        field += '"';
        ++pos_;
        continue;
      }
      break;
    }
    if (c == '\n') ++line_;
    field += c;
  }
  if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
    error = {line_, fmt::format("unexpected '{}' after a closing quote", text_[pos_])};
    return step::malformed;
  }
  return after_field();
}

csv_reader::step csv_reader::after_field() {
  if (pos_ >= text_.size()) return step::record_done;
  char c = text_[pos_++];
  if (c == ',') return step::field_done;
  if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
  ++line_;
  return step::record_done;
}

void csv_reader::skip_rest_of_line() {
  while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  if (pos_ < text_.size()) {
    ++pos_;
    ++line_;
  }
}

}  // namespace breakwater::db
