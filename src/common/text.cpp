#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace breakwater::common {
namespace {

// The "C" locale's white space, without a call into the locale for every character: the
// loader runs this over every byte of every entry.
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
char lower(char c) noexcept {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool starts_sentence(char c) noexcept {
  return std::isupper(static_cast<unsigned char>(c)) != 0 ||
         std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '(';
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string squash_spaces(std::string_view text) {
  std::string_view t = trim(text);
  std::string out;
  out.reserve(t.size());
  // Whole runs of non-space characters at a time: the loader squashes every entry's prose.
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t start = i;
    while (i < t.size() && !is_space(t[i])) ++i;
    out.append(t.data() + start, i - start);
    while (i < t.size() && is_space(t[i])) ++i;
    if (i < t.size()) out += ' ';
  }
  return out;
}

std::size_t count_words(std::string_view text) noexcept {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    if (is_space(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

std::vector<std::string> split_sentences(std::string_view text) {
  std::string flat = squash_spaces(text);
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 2 < flat.size(); ++i) {
    bool end = (flat[i] == '.' || flat[i] == '!' || flat[i] == '?') && flat[i + 1] == ' ' &&
               starts_sentence(flat[i + 2]);
    if (!end) continue;
    out.push_back(flat.substr(start, i + 1 - start));
    start = i + 2;
  }
  if (start < flat.size()) out.push_back(flat.substr(start));
  return out;
}

// What each Latin letter from U+00C0 to U+024F folds to: its base letter, lower-case, with the
// diacritic dropped (by Unicode's compatibility decomposition), and the letters that have no
// decomposition spelled out as they are in ASCII (ß ss, æ ae, œ oe, ø o, ł l, þ th, ð d, ĳ ij).
// Empty: no letter (× and ÷), or a letter with no ASCII base (ə, ƒ, the African letters).
constexpr std::array<std::string_view, 0x250 - 0xC0> latin_folds{
    "a",  "a",  "a",  "a",  "a",  "a",  "ae", "c",
    "e",  "e",  "e",  "e",  "i",  "i",  "i",  "i",  // U+00C0
    "d",  "n",  "o",  "o",  "o",  "o",  "o",  "",
    "o",  "u",  "u",  "u",  "u",  "y",  "th", "ss",  // U+00D0
    "a",  "a",  "a",  "a",  "a",  "a",  "ae", "c",
    "e",  "e",  "e",  "e",  "i",  "i",  "i",  "i",  // U+00E0
    "d",  "n",  "o",  "o",  "o",  "o",  "o",  "",
    "o",  "u",  "u",  "u",  "u",  "y",  "th", "y",  // U+00F0
    "a",  "a",  "a",  "a",  "a",  "a",  "c",  "c",
    "c",  "c",  "c",  "c",  "c",  "c",  "d",  "d",  // U+0100
    "d",  "d",  "e",  "e",  "e",  "e",  "e",  "e",
    "e",  "e",  "e",  "e",  "g",  "g",  "g",  "g",  // U+0110
    "g",  "g",  "g",  "g",  "h",  "h",  "h",  "h",
    "i",  "i",  "i",  "i",  "i",  "i",  "i",  "i",  // U+0120
    "i",  "i",  "ij", "ij", "j",  "j",  "k",  "k",
    "k",  "l",  "l",  "l",  "l",  "l",  "l",  "l",  // U+0130
    "l",  "l",  "l",  "n",  "n",  "n",  "n",  "n",
    "n",  "n",  "n",  "n",  "o",  "o",  "o",  "o",  // U+0140
    "o",  "o",  "oe", "oe", "r",  "r",  "r",  "r",
    "r",  "r",  "s",  "s",  "s",  "s",  "s",  "s",  // U+0150
    "s",  "s",  "t",  "t",  "t",  "t",  "t",  "t",
    "u",  "u",  "u",  "u",  "u",  "u",  "u",  "u",  // U+0160
    "u",  "u",  "u",  "u",  "w",  "w",  "y",  "y",
    "y",  "z",  "z",  "z",  "z",  "z",  "z",  "s",  // U+0170
    "",   "",   "",   "",   "",   "",   "",   "",
    "",   "",   "",   "",   "",   "",   "",   "",  // U+0180
    "",   "",   "",   "",   "",   "",   "",   "",
    "",   "",   "",   "",   "",   "",   "",   "",  // U+0190
    "o",  "o",  "",   "",   "",   "",   "",   "",
    "",   "",   "",   "",   "",   "",   "",   "u",  // U+01A0
    "u",  "",   "",   "",   "",   "",   "",   "",
    "",   "",   "",   "",   "",   "",   "",   "",  // U+01B0
    "",   "",   "",   "",   "dz", "dz", "dz", "lj",
    "lj", "lj", "nj", "nj", "nj", "a",  "a",  "i",  // U+01C0
    "i",  "o",  "o",  "u",  "u",  "u",  "u",  "u",
    "u",  "u",  "u",  "u",  "u",  "",   "a",  "a",  // U+01D0
    "a",  "a",  "",   "",   "",   "",   "g",  "g",
    "k",  "k",  "o",  "o",  "o",  "o",  "",   "",  // U+01E0
    "j",  "dz", "dz", "dz", "g",  "g",  "",   "",
    "n",  "n",  "a",  "a",  "",   "",   "",   "",  // U+01F0
    "a",  "a",  "a",  "a",  "e",  "e",  "e",  "e",
    "i",  "i",  "i",  "i",  "o",  "o",  "o",  "o",  // U+0200
    "r",  "r",  "r",  "r",  "u",  "u",  "u",  "u",
    "s",  "s",  "t",  "t",  "",   "",   "h",  "h",  // U+0210
    "",   "",   "",   "",   "",   "",   "a",  "a",
    "e",  "e",  "o",  "o",  "o",  "o",  "o",  "o",  // U+0220
    "o",  "o",  "y",  "y",  "",   "",   "",   "",
    "",   "",   "",   "",   "",   "",   "",   "",  // U+0230
    "",   "",   "",   "",   "",   "",   "",   "",
    "",   "",   "",   "",   "",   "",   "",   "",  // U+0240
};

// The same for U+1E00-U+1EFF, Latin Extended Additional: each letter's base by its
// decomposition; those without one spelled as in ASCII (ẞ ss, the long s s, Middle Welsh ll, v
// and y). Empty: U+1E9F, a Greek delta in Latin use.
constexpr std::array<std::string_view, 0x100> latin_additional_folds{
    "a", "a", "b", "b", "b", "b", "b", "b", "c", "c", "d",  "d",  "d", "d", "d",  "d",  // U+1E00
    "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e",  "e",  "e", "e", "f",  "f",  // U+1E10
    "g", "g", "h", "h", "h", "h", "h", "h", "h", "h", "h",  "h",  "i", "i", "i",  "i",  // U+1E20
    "k", "k", "k", "k", "k", "k", "l", "l", "l", "l", "l",  "l",  "l", "l", "m",  "m",  // U+1E30
    "m", "m", "m", "m", "n", "n", "n", "n", "n", "n", "n",  "n",  "o", "o", "o",  "o",  // U+1E40
    "o", "o", "o", "o", "p", "p", "p", "p", "r", "r", "r",  "r",  "r", "r", "r",  "r",  // U+1E50
    "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "t",  "t",  "t", "t", "t",  "t",  // U+1E60
    "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", "u",  "u",  "v", "v", "v",  "v",  // U+1E70
    "w", "w", "w", "w", "w", "w", "w", "w", "w", "w", "x",  "x",  "x", "x", "y",  "y",  // U+1E80
    "z", "z", "z", "z", "z", "z", "h", "t", "w", "y", "a",  "s",  "s", "s", "ss", "",   // U+1E90
    "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",  "a",  "a", "a", "a",  "a",  // U+1EA0
    "a", "a", "a", "a", "a", "a", "a", "a", "e", "e", "e",  "e",  "e", "e", "e",  "e",  // U+1EB0
    "e", "e", "e", "e", "e", "e", "e", "e", "i", "i", "i",  "i",  "o", "o", "o",  "o",  // U+1EC0
    "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o",  "o",  "o", "o", "o",  "o",  // U+1ED0
    "o", "o", "o", "o", "u", "u", "u", "u", "u", "u", "u",  "u",  "u", "u", "u",  "u",  // U+1EE0
    "u", "u", "y", "y", "y", "y", "y", "y", "y", "y", "ll", "ll", "v", "v", "y",  "y",  // U+1EF0
};

// Unicode's blocks of combining diacritical marks: U+0300-U+036F, its Extended block
// (U+1AB0-U+1AFF), its Supplement (U+1DC0-U+1DFF), those for symbols (U+20D0-U+20FF) and the
// half marks (U+FE20-U+FE2F).
static bool is_combining_mark(unsigned code) noexcept {
  return (code >= 0x300 && code <= 0x36F) || (code >= 0x1AB0 && code <= 0x1AFF) ||
         (code >= 0x1DC0 && code <= 0x1DFF) || (code >= 0x20D0 && code <= 0x20FF) ||
         (code >= 0xFE20 && code <= 0xFE2F);
}

std::optional<latin_fold> latin_fold_at(std::string_view text, std::size_t i) noexcept {
  if (i + 1 >= text.size()) return std::nullopt;
  const auto lead = static_cast<unsigned char>(text[i]);
  const auto next = static_cast<unsigned char>(text[i + 1]);
  if ((next & 0xC0) != 0x80) return std::nullopt;
  // Two bytes: a lead byte of 0xC2-0xDF (0xC0 and 0xC1 would be overlong), a continuation.
  if (lead >= 0xC2 && lead <= 0xDF) {
    const unsigned code = ((lead & 0x1Fu) << 6) | (next & 0x3Fu);
    if (is_combining_mark(code)) return latin_fold{{}, 2};
    if (code < 0xC0 || code >= 0x250 || latin_folds[code - 0xC0].empty()) return std::nullopt;
    return latin_fold{latin_folds[code - 0xC0], 2};
  }
  // Three bytes (a lead byte of 0xE0-0xEF, two continuations): U+1E00-U+1EFF, and the other
  // blocks of combining diacritics.
  if (lead < 0xE0 || lead > 0xEF || i + 2 >= text.size()) return std::nullopt;
  const auto last = static_cast<unsigned char>(text[i + 2]);
  if ((last & 0xC0) != 0x80) return std::nullopt;
  const unsigned code = (lead & 0x0Fu) << 12 | (next & 0x3Fu) << 6 | (last & 0x3Fu);
  if (code < 0x800) return std::nullopt;  // overlong
  if (is_combining_mark(code)) return latin_fold{{}, 3};
  if (code < 0x1E00 || code > 0x1EFF || latin_additional_folds[code - 0x1E00].empty()) {
    return std::nullopt;
  }
  return latin_fold{latin_additional_folds[code - 0x1E00], 3};
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  for_each_word(text, [&](std::string_view w) { out.emplace_back(w); });
  return out;
}

// The optimal string alignment distance (Damerau-Levenshtein without editing a substring
// twice), row by row: row i holds the distances of a's first i characters to each prefix of
// b. Once a whole row exceeds `most`, no later row can come back under it.
unsigned edit_distance(std::string_view a, std::string_view b, unsigned most) noexcept {
  const unsigned over = most + 1;
  if (a.size() > max_edit_word || b.size() > max_edit_word) return over;
  const std::size_t n = b.size();
  if ((a.size() > n ? a.size() - n : n - a.size()) > most) return over;
  std::array<unsigned, max_edit_word + 1> before{}, prev{}, row{};
  for (std::size_t j = 0; j <= n; ++j) prev[j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = static_cast<unsigned>(i);
    unsigned least = row[0];
    for (std::size_t j = 1; j <= n; ++j) {
      const unsigned replace = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, replace});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
      least = std::min(least, row[j]);
    }
    if (least > most) return over;
    before = prev;
    prev = row;
  }
  return std::min(prev[n], over);
}

std::optional<unsigned> parse_port_number(std::string_view text) noexcept {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return value;
}

}  // namespace breakwater::common
