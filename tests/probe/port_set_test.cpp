// The port-set parser: every form, the named sets, and errors that say what and where.
#include "probe/port_set.hpp"

#include <gtest/gtest.h>

namespace {

using breakwater::probe::parse_port_set;

std::vector<std::uint16_t> ports_of(std::string_view spec) {
  auto r = parse_port_set(spec);
  EXPECT_TRUE(r.has_value()) << spec << ": " << (r ? "" : r.error().message);
  return r ? r->ports() : std::vector<std::uint16_t>{};
}

TEST(port_set, single_ports_ranges_and_lists) {
  EXPECT_EQ(ports_of("443"), (std::vector<std::uint16_t>{443}));
  EXPECT_EQ(ports_of("0"), (std::vector<std::uint16_t>{0}));
  EXPECT_EQ(ports_of("65535"), (std::vector<std::uint16_t>{65535}));
  EXPECT_EQ(ports_of("0-1055").size(), 1056u);
  EXPECT_EQ(ports_of("21,22,80-83"), (std::vector<std::uint16_t>{21, 22, 80, 81, 82, 83}));
  EXPECT_EQ(ports_of(" 22 , 80 - 81 "), (std::vector<std::uint16_t>{22, 80, 81}));
  EXPECT_EQ(ports_of("80,80,79-80"), (std::vector<std::uint16_t>{79, 80}));  // once each
  EXPECT_EQ(ports_of("7-7"), (std::vector<std::uint16_t>{7}));
}

TEST(port_set, named_sets) {
  EXPECT_EQ(ports_of("common"),
            (std::vector<std::uint16_t>{0,    21,   22,   23,   25,   79,   80,   110,  113,
                                        119,  135,  139,  143,  389,  443,  445,  1002, 1024,
                                        1025, 1026, 1027, 1028, 1029, 1030, 1720, 5000}));
  EXPECT_EQ(ports_of("service").size(), 1056u);
  EXPECT_EQ(ports_of("service").back(), 1055);
  EXPECT_EQ(ports_of("file-sharing"), (std::vector<std::uint16_t>{137, 138, 139, 445}));
  EXPECT_EQ(ports_of("all").size(), 65536u);
  EXPECT_EQ(ports_of("file-sharing,8080").size(), 5u);
}

TEST(port_set, ranges_and_canonical_text_round_trip) {
  auto set = parse_port_set("1,2,3,5,7-9,65535");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->to_string(), "1-3,5,7-9,65535");
  auto again = parse_port_set(set->to_string());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *set);
  EXPECT_EQ(parse_port_set("all")->to_string(), "0-65535");
}

struct bad_case {
  std::string_view spec;
  std::size_t position;
  std::string_view text;
  std::string_view says;
};

TEST(port_set, errors_name_the_text_and_its_position) {
  const bad_case cases[] = {
      {"", 0, "", "empty"},
      {"   ", 0, "   ", "empty"},
      {"22,,80", 3, "", "empty item"},
      {"22,", 3, "", "empty item"},
      {"65536", 0, "65536", "0 to 65535"},
      {"80,99999999999999999999", 3, "99999999999999999999", "0 to 65535"},
      {"80,8x", 4, "x", "not part of a port number"},
      {"100-90", 0, "100-90", "runs backwards"},
      {"1-", 2, "", "missing"},
      {"-5", 0, "", "missing"},
      {"22,web", 3, "web", "unknown port set name"},
      {"1-2-3", 3, "-", "not part of a port number"},
      {"22;80", 2, ";", "not part of a port number"},
  };
  for (const auto& c : cases) {
    auto r = parse_port_set(c.spec);
    ASSERT_FALSE(r) << c.spec;
    EXPECT_EQ(r.error().position, c.position) << c.spec << ": " << r.error().message;
    EXPECT_EQ(r.error().text, c.text) << c.spec;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("position " + std::to_string(c.position + 1)),
              std::string::npos)
        << r.error().message;
  }
}

TEST(port_set, format_ranges_for_people) {
  EXPECT_EQ(breakwater::probe::format_ranges({{0, 20}, {23, 23}, {25, 79}}), "0-20, 23, 25-79");
}

}  // namespace
