#include "http/etag.hpp"
#include "http/gzip.hpp"

#include "support/gunzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace breakwater::http {
namespace {

TEST(etag, matches_lists_weak_tags_and_star) {
  std::string tag = make_etag("hello");
  EXPECT_EQ(tag.front(), '"');
  EXPECT_NE(tag, make_etag("hello", "-gz"));
  EXPECT_TRUE(etag_matches(tag, tag));
  EXPECT_TRUE(etag_matches("\"x\", " + tag, tag));
  EXPECT_TRUE(etag_matches("W/" + tag, tag));
  EXPECT_TRUE(etag_matches("*", tag));
  EXPECT_FALSE(etag_matches("\"other\"", tag));
  EXPECT_FALSE(etag_matches("", tag));
}

TEST(gzip, accept_encoding_rules) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip(""));
}

TEST(gzip, output_inflates_back) {
  std::string text(5000, 'a');
  for (std::size_t i = 0; i < text.size(); i += 7) text[i] = 'b';
  std::string gz = gzip_compress(text);
  ASSERT_GT(gz.size(), 10U);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(text.size() + 10, '\0');
  z.next_in = reinterpret_cast<Bytef*>(gz.data());
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_EQ(out, text);
}

TEST(gzip, a_stream_of_pieces_inflates_to_the_whole) {
  std::string whole;
  std::string gz;
  gzip_stream z;
  for (int i = 0; i < 2000; ++i) {
    std::string piece = "{\"port\":" + std::to_string(i) + ",\"state\":\"stealth\"},";
    whole += piece;
    gz += z.add(piece, false);
  }
  EXPECT_LT(gz.size(), whole.size() / 4) << "zlib holds most of it back until a block fills";
  gz += z.add("end", true);
  whole += "end";
  EXPECT_EQ(testing::gunzip(gz), whole);
  EXPECT_EQ(testing::gunzip(gz.substr(0, gz.size() - 1)), std::nullopt) << "cut short";
}

TEST(gzip, a_stream_of_nothing_is_an_empty_member) {
  gzip_stream z;
  EXPECT_EQ(testing::gunzip(z.add("", true)), std::string());
}

}  // namespace
}  // namespace breakwater::http
