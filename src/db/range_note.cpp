#include "db/range_note.hpp"

#include "common/text.hpp"

namespace breakwater::db {

std::size_t range_note::body_words() const noexcept {
  std::size_t words = 0;
  for (const std::string& p : paragraphs) words += common::count_words(p);
  return words;
}

}  // namespace breakwater::db
