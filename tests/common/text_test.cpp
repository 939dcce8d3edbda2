#include "common/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace breakwater::db {
namespace {

using strings = std::vector<std::string>;

TEST(text, splits_sentences_at_full_stops_before_capitals) {
  EXPECT_EQ(common::split_sentences("One two. Three four!  Five?\nSix."),
            (strings{"One two.", "Three four!", "Five?", "Six."}));
  EXPECT_EQ(common::split_sentences("Use e.g. this one. 2003 saw Blaster."),
            (strings{"Use e.g. this one.", "2003 saw Blaster."}));
}

TEST(text, tokenizes_into_lower_case_words) {
  EXPECT_EQ(common::tokenize("HTTP/3 over TLS, (QUIC)"),
            (strings{"http", "3", "over", "tls", "quic"}));
  EXPECT_TRUE(common::tokenize(" -- ").empty());
}

TEST(text, folds_latin_letters_to_ascii) {
  EXPECT_EQ(common::tokenize("Dassault Systèmes, Freie Universität; CAFÉ Łódź Straße Œuvre"),
            (strings{"dassault", "systemes", "freie", "universitat", "cafe", "lodz", "strasse",
                     "oeuvre"}));
  EXPECT_EQ(common::tokenize("București, Pinyin Běijīng"),
            (strings{"bucuresti", "pinyin", "beijing"}));
  // Written with combining diacritics (e then U+0301): the same words; diacritics alone are
  // none.
  EXPECT_EQ(common::tokenize("Cafe\xCC\x81 \xCC\x81 x"), (strings{"cafe", "x"}));
  // × and ÷ are no letters; neither are other scripts, nor a lead byte cut off at the end.
  EXPECT_EQ(common::tokenize("4×4 a÷b 日本 ok \xC3"), (strings{"4", "4", "a", "b", "ok"}));
  EXPECT_EQ(common::latin_fold_at("é", 0)->ascii, "e");
  EXPECT_EQ(common::latin_fold_at("é", 0)->length, 2u);
  EXPECT_FALSE(common::latin_fold_at("é", 1));
  EXPECT_FALSE(common::latin_fold_at("\xC3\x28", 0));  // not a continuation byte
  EXPECT_FALSE(common::latin_fold_at("\xC0\x80", 0));  // overlong
}

TEST(text, folds_latin_extended_additional) {
  // Vietnamese (three-byte letters, U+1E00-U+1EFF, beside two-byte ones), Welsh, German's
  // capital sharp s.
  EXPECT_EQ(common::tokenize("Tiếng Việt, Hà Nội; Cymraeg: ŵ ẁ ẃ ẅ ỳ; GROẞ"),
            (strings{"tieng", "viet", "ha", "noi", "cymraeg", "w", "w", "w", "w", "y", "gross"}));
  EXPECT_EQ(common::latin_fold_at("ệ", 0)->ascii, "e");
  EXPECT_EQ(common::latin_fold_at("ệ", 0)->length, 3u);
  EXPECT_EQ(common::latin_fold_at("\xE1\xB8\x80", 0)->ascii, "a");  // U+1E00, the first
  EXPECT_EQ(common::latin_fold_at("\xE1\xBB\xBF", 0)->ascii, "y");  // U+1EFF, the last
  EXPECT_FALSE(common::latin_fold_at("\xE1\xBC\x80", 0));           // U+1F00: Greek, not Latin
  EXPECT_EQ(common::latin_fold_at("\xE1\xB7\xBF", 0)->length, 3u);  // U+1DFF: a combining mark
  EXPECT_FALSE(common::latin_fold_at("\xE1\xBA\x9F", 0));  // U+1E9F: a delta, no Latin base
  EXPECT_FALSE(common::latin_fold_at("\xE1\xB8", 0));      // cut off
  EXPECT_FALSE(common::latin_fold_at("\xE1\xB8\x28", 0));  // not a continuation byte
  EXPECT_EQ(common::tokenize("a\xE1\xB8 b"), (strings{"a", "b"}));
  // Combining marks of the other blocks belong to their word, as U+0300-U+036F's do: U+1DC4
  // (Supplement), U+1AB0 (Extended), U+20D7 (for symbols), U+FE20 (half marks).
  EXPECT_EQ(common::tokenize("ca\xE1\xB7\x84"
                             "fe a\xE1\xAA\xB0"
                             "b c\xE2\x83\x97"
                             "d e\xEF\xB8\xA0"
                             "f"),
            (strings{"cafe", "ab", "cd", "ef"}));
  EXPECT_FALSE(common::latin_fold_at("\xE0\x8C\x81", 0)) << "U+0301 written overlong";
  EXPECT_FALSE(common::latin_fold_at("\xE2\x82\xAC", 0)) << "the euro sign";
}

TEST(text, names_each_word_as_written) {
  std::vector<std::pair<std::string, std::string>> seen;
  common::for_each_word(
      "Dassault Systèmes, Cafe\xCC\x81 (GROẞ)",
      [&](std::string_view w, std::string_view as_written) { seen.emplace_back(w, as_written); });
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{{"dassault", "Dassault"},
                                                                    {"systemes", "Systèmes"},
                                                                    {"cafe", "Cafe\xCC\x81"},
                                                                    {"gross", "GROẞ"}}));
}

TEST(text, parses_port_numbers_strictly) {
  EXPECT_EQ(common::parse_port_number("0"), 0u);
  EXPECT_EQ(common::parse_port_number("65535"), 65535u);
  EXPECT_FALSE(common::parse_port_number("65536"));
  EXPECT_FALSE(common::parse_port_number("-1"));
  EXPECT_FALSE(common::parse_port_number("8o"));
  EXPECT_FALSE(common::parse_port_number(""));
  EXPECT_FALSE(common::parse_port_number("000001"));
}

TEST(text, counts_edits_up_to_a_bound) {
  EXPECT_EQ(common::edit_distance("postgres", "postgres", 2), 0u);
  EXPECT_EQ(common::edit_distance("postgress", "postgres", 2), 1u) << "one removed";
  EXPECT_EQ(common::edit_distance("netbois", "netbios", 2), 1u) << "neighbours swapped";
  EXPECT_EQ(common::edit_distance("telent", "telnet", 2), 1u);
  EXPECT_EQ(common::edit_distance("kerberous", "kerberos", 2), 1u);
  EXPECT_EQ(common::edit_distance("smba", "samba", 1), 1u) << "one inserted";
  EXPECT_EQ(common::edit_distance("mysql", "nysql", 1), 1u) << "one replaced";
  EXPECT_EQ(common::edit_distance("ca", "abc", 3), 3u) << "no substring is edited twice";
  EXPECT_EQ(common::edit_distance("", "abc", 3), 3u);
  EXPECT_EQ(common::edit_distance("ssh", "ftp", 1), 2u) << "over the bound: bound + 1";
  EXPECT_EQ(common::edit_distance("a", "abcdef", 2), 3u) << "lengths alone are too far apart";
  EXPECT_EQ(common::edit_distance("abcdefgh", "hgfedcba", 3), 4u);
  const std::string long_word(common::max_edit_word + 1, 'a');
  EXPECT_EQ(common::edit_distance(long_word, long_word, 5), 6u) << "too long to be compared";
}

TEST(text, counts_words_and_squashes_spaces) {
  EXPECT_EQ(common::count_words("  a b\n\tc  "), 3u);
  EXPECT_EQ(common::squash_spaces("  a \n b  "), "a b");
  EXPECT_EQ(common::squash_spaces("one\n\n  two three\t"), "one two three");
  EXPECT_EQ(common::squash_spaces(" \n "), "");
  EXPECT_EQ(common::squash_spaces("x"), "x");
}

}  // namespace
}  // namespace breakwater::db

#include "common/read_file.hpp"

namespace breakwater::common {
namespace {

TEST(read_file, reads_proc_files_whose_size_is_zero_and_says_why_it_cannot) {
  auto route = read_file("/proc/self/status");
  ASSERT_TRUE(route);
  EXPECT_NE(route->find("Name:"), std::string::npos);
  auto missing = read_file("/nonexistent/file");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), boost::system::errc::no_such_file_or_directory);
  EXPECT_FALSE(read_file("/proc"));  // a directory
}

}  // namespace
}  // namespace breakwater::common
