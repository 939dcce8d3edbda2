// The API's JSON bodies: one object, each key once at every depth, however it is spelled.
#include "common/json_object.hpp"

#include <gtest/gtest.h>

namespace breakwater::common {
namespace {

TEST(json_object, an_object_is_taken_as_it_reads) {
  auto o = parse_json_object(R"({"ports":"common","ping":true,"nested":{"a":[{"b":1}]}})", "{}");
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->at("ports").as_string(), "common");
  EXPECT_TRUE(o->at("ping").as_bool());
}

TEST(json_object, anything_else_is_told_the_shape) {
  for (const char* bad : {"", "[]", "\"x\"", "{", "{\"a\":1,}", "null", "{} {}"}) {
    auto o = parse_json_object(bad, R"({"ports":"common"})");
    ASSERT_FALSE(o) << bad;
    EXPECT_EQ(o.error(), R"(the body must be a JSON object such as {"ports":"common"})") << bad;
  }
}

// Boost.JSON keeps the last of a key given twice: such a body says two things, and is refused,
// however the second spelling is escaped and at whatever depth.
TEST(json_object, a_key_given_twice_is_refused) {
  for (const char* twice : {R"({"ports":"common","ports":"all"})",
                            R"({"po\u0072ts":"common","ports":"all"})", R"({"a":{"b":1,"b":2}})",
                            R"({"a":[{"x":1},{"y":2,"y":3}]})", "{ \"k\" :1 ,\n\"k\"\t: 2}"}) {
    auto o = parse_json_object(twice, R"({"ports":"common"})");
    ASSERT_FALSE(o) << twice;
    EXPECT_EQ(o.error(),
              R"(the body gives a key more than once: give each once, as in {"ports":"common"})");
  }
}

TEST(json_object, colons_and_quotes_inside_strings_are_not_keys) {
  EXPECT_EQ(keys_spelled(R"({"a":"b:","c":"\"d\":","e":["f:",{"g":":"}]})"), 4U);
  EXPECT_EQ(keys_spelled(R"(["x" , "y"])"), 0U);
  EXPECT_EQ(keys_spelled(R"({"\\":1,"\\\"":2})"), 2U);
  EXPECT_TRUE(parse_json_object(R"({"a":"x\":1,\"a"})", "{}"));
}

}  // namespace
}  // namespace breakwater::common
