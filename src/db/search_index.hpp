// Ranked search over service names, descriptions and our entries.
#pragma once

#include "db/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace breakwater::db {

// A port, one of our range notes, or a registered service name that has no port.
struct search_hit {
  std::uint16_t port = 0;  // the port; a range's first port; 0 for a service without a port
  int score = 0;
  std::string_view why;  // "port number", "service name", "title", ... (the best match)
  const range_note* range = nullptr;   // set when the hit is a range note
  const iana_row* unported = nullptr;  // set when the hit is a service name without a port
};

// A word of the query that matched nothing as written, as the searcher wrote it, and the
// indexed word searched for in its place ("Postgress" -> "postgres").
struct respelling {
  std::string asked;
  std::string used;
};

// Ranking, best first: the port number itself, an exact service name (with the best few
// ports our entries tag with that word) or incident id (CVE, advisory), then words in
// software names, our titles, range titles and keywords, service names, summaries,
// incidents and IANA descriptions, our bodies and advice. Every word of the
// query must match (a word may match as a prefix, at half weight; a number matches that
// port, or the same number in a text). Among close matches, a port that more of our entries
// name as related comes first. Words that only announce a number ("port 80", "22/tcp") are
// dropped. A word of four letters or more that matches nothing, not even as a prefix, is
// searched as the indexed word closest to it in spelling (one edit, two from eight letters
// on), as a searcher who mistyped it meant.
class search_index {
 public:
  explicit search_index(const database& db);

  // Only the first max_query_bytes of `query` and its first max_query_words distinct words
  // are used, so that no query costs more than a few milliseconds. The words searched in
  // another spelling are added to `respelled` when it is given.
  std::vector<search_hit> search(std::string_view query, std::size_t limit,
                                 std::vector<respelling>* respelled = nullptr) const;
  static constexpr std::size_t max_query_bytes = 256;
  static constexpr std::size_t max_query_words = 8;

 private:
  // What a posting points at: a port (0-65535), then range notes, then rows without a port.
  using target = std::uint32_t;
  struct posting {
    target to;
    std::uint8_t field;  // index into the field table
    std::uint8_t place;  // where in a name the word stands (the source's word_place)
  };
  // While searching, a target carries only its score and why it matched (an index into the
  // reasons); the full search_hit is made for the few that are returned.
  struct scored {
    int score = 0;
    std::uint8_t why = 0;
  };
  using hit_map = std::unordered_map<target, scored>;

  void add(std::string_view text, target to, std::uint8_t field, std::uint8_t place);
  void add_phrase(std::string_view text, target to);
  std::vector<target> tags_ranked_as(std::string_view name, const std::vector<target>& registered,
                                     const hit_map& words) const;
  hit_map match_all(const std::vector<std::string>& words) const;
  void add_words(std::string_view text, target to, std::uint8_t field);
  void add_name(std::string_view name, target to);
  void finish();
  search_hit hit_for(target to, scored s) const;
  std::vector<search_hit> ranked(const hit_map& total, std::size_t limit) const;
  void match_word(std::string_view word, hit_map& best) const;
  bool matches_as_written(std::string_view word) const;
  std::optional<std::string_view> closest_spelling(std::string_view word) const;

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
  std::vector<std::string> sorted_words_;  // for prefix matches
  // sorted_words_'s indexes by word length (up to common::max_edit_word), for respelling,
  // and each word's letters and digits as a set of bits (letters_of in the source).
  std::vector<std::vector<std::uint32_t>> words_by_length_;
  std::vector<std::uint64_t> word_letters_;
  text_map<std::vector<target>> names_;         // whole service names
  text_map<std::vector<target>> incident_ids_;  // whole incident ids, lower case
  // Our entries' keywords and software names of two or more words, joined by one space.
  text_map<std::vector<target>> phrases_;
  // Our entries' keywords and software names of one word: tags, names only against a
  // registered name (tags_ranked_as).
  text_map<std::vector<target>> tags_;
  std::vector<std::uint8_t> prominence_;  // per port: what its referrers add to a hit
  target first_range_ = 0;                // targets of range notes start here
  target first_unported_ = 0;             // and those of rows without a port here
};

}  // namespace breakwater::db
