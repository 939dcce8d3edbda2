// The shared pieces of the UDP wire code: escaped_text (device bytes made safe for people, cut
// without splitting an escape), the words of the summaries, split and byte_reader.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

TEST(udp_text, keeps_printable_ascii) {
  EXPECT_EQ(escaped_text("Linux UPnP/1.0 \"x\" <y> ~"), "Linux UPnP/1.0 \"x\" <y> ~");
  EXPECT_EQ(escaped_text(""), "");
}

TEST(udp_text, escapes_line_ends_tabs_and_other_bytes) {
  EXPECT_EQ(escaped_text("a\r\nb\tc"), "a\\r\\nb\\tc");
  EXPECT_EQ(escaped_text("\x00\x01\x7f\x80\xff"sv), "\\x00\\x01\\x7f\\x80\\xff");
  EXPECT_EQ(escaped_text("caf\xc3\xa9"), "caf\\xc3\\xa9");
}

TEST(udp_text, cuts_at_the_limit_with_dots) {
  EXPECT_EQ(escaped_text("abcdef", 6), "abcdef");
  EXPECT_EQ(escaped_text("abcdefg", 6), "abcdef...");
  EXPECT_EQ(escaped_text("abc", 0), "...");
  EXPECT_EQ(escaped_text(std::string(500, 'x')).size(), 160u + 3u);
}

TEST(udp_text, never_cuts_inside_an_escape) {
  EXPECT_EQ(escaped_text("ab\x01z", 5), "ab...");  // \x01 needs 4: 6 > 5
  EXPECT_EQ(escaped_text("ab\x01z", 6), "ab\\x01...");
  EXPECT_EQ(escaped_text("ab\nz", 3), "ab...");
  EXPECT_EQ(escaped_text("ab\nz", 4), "ab\\n...");
  EXPECT_EQ(escaped_text("ab\nz", 5), "ab\\nz");
}

TEST(udp_text, shared_words) {
  std::string_view one[] = {"hello"};
  std::string_view two[] = {"hello", "abc"};
  EXPECT_EQ(not_the_protocol("SIP", one), "an answer that is not SIP (5 bytes)");
  EXPECT_EQ(not_the_protocol("SIP", two), "2 answers that are not SIP (8 bytes in all)");
  EXPECT_EQ(answer_size(one), "an answer of 5 bytes");
  EXPECT_EQ(answer_size(two), "2 answers, 8 bytes in all");
  EXPECT_EQ(quoted("a\"b\n", 60), "\"a\"b\\n\"");
  EXPECT_EQ(count_text(1, "field"), "1 field");
  EXPECT_EQ(count_text(0, "field"), "0 fields");
  std::vector<std::string> items{"a", "b", "c"};
  EXPECT_EQ(listed(items, 3), "a, b, c");
  EXPECT_EQ(listed(items, 2), "a, b and 1 more");
  EXPECT_EQ(listed(std::vector<std::string>{}, 2), "");
}

TEST(udp_text, split_keeps_empty_pieces_and_caps_their_number) {
  using pieces = std::vector<std::string_view>;
  EXPECT_EQ(split("a;b;", ';'), (pieces{"a", "b", ""}));
  EXPECT_EQ(split("", ';'), (pieces{""}));
  EXPECT_EQ(split("a;b;c;d", ';', 2), (pieces{"a", "b;c;d"}));
}

TEST(udp_text, byte_reader_reads_big_endian_fields) {
  std::string datagram = from_hex("01 0203 04050607 0809 41 42 00 ff");  // r views it
  byte_reader r(datagram);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_EQ(r.u16_le(), 0x0908);
  EXPECT_EQ(r.c_string(), "AB");
  EXPECT_EQ(r.offset(), 12u);
  EXPECT_EQ(r.rest(), "\xff"sv);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(byte_reader("abc"sv, 1).rest(), "bc");
}

TEST(udp_text, byte_reader_never_passes_the_end) {
  byte_reader r("\x01\x02\x03"sv);
  EXPECT_EQ(r.u16(), 0x0102);
  EXPECT_EQ(r.u32(), 0u);  // one byte left: a failed read yields zero...
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.left(), 0u);  // ...and leaves nothing to read, for good
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.take(0), "");
  EXPECT_FALSE(r.ok());

  byte_reader no_nul("abc"sv);
  EXPECT_EQ(no_nul.c_string(), "");
  EXPECT_FALSE(no_nul.ok());
  byte_reader past("abc"sv, 4);
  EXPECT_FALSE(past.ok());
  EXPECT_EQ(past.rest(), "");
  byte_reader cut("ab"sv);
  EXPECT_EQ(cut.take(3), "");
  EXPECT_FALSE(cut.ok());
}

}  // namespace
}  // namespace breakwater::probe::udp::test
