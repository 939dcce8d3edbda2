// Ranked search over service names, descriptions and our entries.
#pragma once

#include "db/database.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace breakwater::db {

struct search_hit {
  std::uint16_t port = 0;
  int score = 0;
  std::string_view why;  // "port number", "service name", "title", ... (the best match)
};

// Ranking, best first: the port number itself, an exact service name, then words in
// service names, our titles and keywords, summaries and IANA descriptions, our bodies.
// Every word of the query must match (a word may match as a prefix, at half weight).
class search_index {
 public:
  explicit search_index(const database& db);

  // Only the first max_query_bytes of `query` and its first max_query_words distinct words
  // are used, so that no query costs more than a few milliseconds.
  std::vector<search_hit> search(std::string_view query, std::size_t limit) const;
  static constexpr std::size_t max_query_bytes = 256;
  static constexpr std::size_t max_query_words = 8;

 private:
  struct posting {
    std::uint16_t port;
    std::uint8_t field;  // index into the field table
  };
  void add(std::string_view text, std::uint16_t port, std::uint8_t field);
  void add_words(std::string_view text, std::uint16_t port, std::uint8_t field);
  void finish();
  std::vector<search_hit> ranked(const std::unordered_map<std::uint16_t, search_hit>& total,
                                 std::size_t limit) const;
  void match_word(std::string_view word, std::unordered_map<std::uint16_t, search_hit>& best) const;

  // Lets the maps be searched with a string_view, without building a std::string.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  template <typename V>
  using text_map = std::unordered_map<std::string, V, text_hash, std::equal_to<>>;

  const database& db_;
  text_map<std::vector<posting>> words_;
  std::vector<std::string> sorted_words_;       // for prefix matches
  text_map<std::vector<std::uint16_t>> names_;  // whole service names
};

}  // namespace breakwater::db
