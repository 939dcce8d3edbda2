#include "web/escape.hpp"
#include "web/etag.hpp"
#include "web/gzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace breakwater::web {
namespace {

TEST(escape, replaces_every_markup_character) {
  EXPECT_EQ(escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  EXPECT_EQ(escape_html("plain text 443/tcp"), "plain text 443/tcp");
  EXPECT_EQ(escape_html(""), "");
}

TEST(escape, query_values_round_trip) {
  std::string text = "remote desktop & <rdp>/ü";
  std::string encoded = encode_query_value(text);
  EXPECT_EQ(encoded.find_first_of(" &<>/"), std::string::npos);
  EXPECT_EQ(decode_query_value(encoded), text);
  EXPECT_EQ(decode_query_value("a+b%20c"), "a b c");
  EXPECT_FALSE(decode_query_value("bad%2"));
  EXPECT_FALSE(decode_query_value("bad%zz"));
}

TEST(escape, finds_query_parameters) {
  EXPECT_EQ(query_param("q=ssh&limit=5", "limit"), "5");
  EXPECT_EQ(query_param("q=ssh&limit=5", "q"), "ssh");
  EXPECT_EQ(query_param("flag&q=1", "flag"), "");
  EXPECT_FALSE(query_param("q=ssh", "n"));
  EXPECT_FALSE(query_param("", "n"));
}

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

}  // namespace
}  // namespace breakwater::web
