// escaped_text: device bytes made safe for people, cut without splitting an escape.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <gtest/gtest.h>

namespace {

using breakwater::probe::udp::escaped_text;
using namespace std::string_view_literals;

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
  using namespace breakwater::probe::udp::detail;
  std::string_view one[] = {"hello"};
  std::string_view two[] = {"hello", "abc"};
  EXPECT_EQ(not_the_protocol("SIP", one), "an answer that is not SIP (5 bytes)");
  EXPECT_EQ(answer_size(one), "an answer of 5 bytes");
  EXPECT_EQ(answer_size(two), "2 answers, 8 bytes in all");
  EXPECT_EQ(quoted("a\"b\n", 60), "\"a\"b\\n\"");
  EXPECT_EQ(not_the_protocol("SIP", {}), "an answer that is not SIP (0 bytes)");
}

TEST(udp_text, byte_cursor_never_passes_the_end) {
  using breakwater::probe::udp::detail::byte_cursor;
  byte_cursor c("\x01\x02\x03"sv);
  std::uint16_t v16 = 0;
  std::uint32_t v32 = 7;
  std::string_view s;
  EXPECT_TRUE(c.u16(v16));
  EXPECT_EQ(v16, 0x0102);
  EXPECT_FALSE(c.u32(v32));
  EXPECT_EQ(v32, 7u);
  EXPECT_FALSE(c.take(2, s));
  EXPECT_FALSE(c.c_string(s));
  EXPECT_EQ(c.left(), 1u);
  EXPECT_TRUE(c.skip(1));
  EXPECT_FALSE(c.skip(1));
}

}  // namespace
