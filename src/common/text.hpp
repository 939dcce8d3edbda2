// Small text helpers shared by the parsers, the checks and the search index.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace breakwater::common {

constexpr bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text) noexcept;

// Collapses every run of white space (newlines included) into one space.
std::string squash_spaces(std::string_view text);

// Number of white-space separated words.
std::size_t count_words(std::string_view text) noexcept;

// Splits prose into sentences at ". ", "! " and "? " followed by a capital, digit or quote.
std::vector<std::string> split_sentences(std::string_view text);

// A Latin letter at text[i] (UTF-8) folded to ASCII: the letters it folds to ("é" e, "Ł" l,
// "ß" ss, "ș" s, "ệ" e, "ẞ" ss), and the bytes it takes. Letters are those of U+00C0-U+024F
// (two bytes) and U+1E00-U+1EFF (three: Vietnamese, Welsh ŵ ŷ, ...). A combining diacritic
// (U+0300-U+036F, or one of the other blocks of them: an "e" then U+0301 is "é" written in
// two) folds to an empty string: it belongs to its word and adds nothing to it. Nothing where
// text[i] begins none of these.
struct latin_fold {
  std::string_view ascii;
  std::size_t length = 0;
};
std::optional<latin_fold> latin_fold_at(std::string_view text, std::size_t i) noexcept;

// Lower-case alphanumeric words, Latin letters folded to ASCII ("HTTP/3 over TLS" -> http, 3,
// over, tls; "Dassault Systèmes" -> dassault, systemes).
std::vector<std::string> tokenize(std::string_view text);

// Calls fn(std::string_view word) for each word that tokenize() would return, reusing
// one buffer: the index calls this for every word of every text. A `fn` that takes a second
// std::string_view gets the bytes of `text` the word was made from, as written ("Systèmes").
template <typename Fn>
void for_each_word(std::string_view text, Fn&& fn) {
  std::string word;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_char(text[i]) && !latin_fold_at(text, i)) ++i;
    word.clear();
    const std::size_t start = i;
    while (i < text.size()) {
      if (is_word_char(text[i])) {
        word.push_back(ascii_lower(text[i++]));
        continue;
      }
      const std::optional<latin_fold> folded = latin_fold_at(text, i);
      if (!folded) break;
      word.append(folded->ascii);
      i += folded->length;
    }
    // Diacritics alone make no word; each step above took at least one byte.
    if (word.empty()) continue;
    if constexpr (std::is_invocable_v<Fn&, std::string_view, std::string_view>) {
      fn(std::string_view(word), text.substr(start, i - start));
    } else {
      fn(std::string_view(word));
    }
  }
}

// Edits (a character inserted, removed or replaced, or two neighbours swapped) that turn `a`
// into `b`, when that is at most `most`; `most` + 1 when it is more, or when either word is
// longer than max_edit_word (work is bounded: no allocation, at most 64 x 64 steps).
inline constexpr std::size_t max_edit_word = 64;
unsigned edit_distance(std::string_view a, std::string_view b, unsigned most) noexcept;

// A port number written in decimal: digits only, 0-65535.
std::optional<unsigned> parse_port_number(std::string_view text) noexcept;

}  // namespace breakwater::common
