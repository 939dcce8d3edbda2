#include "site/escape.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
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

}  // namespace
}  // namespace breakwater::site
