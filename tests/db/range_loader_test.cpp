#include "db/range_loader.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

// A complete, valid range note; tests replace lines to break it.
const std::string valid = R"toml(lo = 6000
hi = 6063
title = "X11 displays"
summary = "Display N listens on 6000 plus N."
transports = ["tcp", "udp"]
keywords = ["X11", "xorg"]
exclusive = true
body = """
First paragraph
over two lines.

Second paragraph.
"""

[[related]]
port = 22
reason = "SSH forwards X11."

[[references]]
id = "RFC 1013"
title = "X Window System Protocol, version 11"
)toml";

std::string replace(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string only_problem(const range_load& r) {
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(r.problems.size(), 1u);
  return r.problems.empty() ? "" : to_string(r.problems.front());
}

constexpr std::string_view file = "data/ranges/x11-displays.toml";

TEST(range_loader, reads_every_field) {
  range_load r = parse_range(valid, file);
  ASSERT_TRUE(r.value.has_value()) << (r.problems.empty() ? "" : to_string(r.problems[0]));
  const range_note& n = *r.value;
  EXPECT_EQ(n.id, "x11-displays");
  EXPECT_EQ(n.lo, 6000);
  EXPECT_EQ(n.hi, 6063);
  EXPECT_EQ(n.line, 1u);
  EXPECT_EQ(n.width(), 64u);
  EXPECT_TRUE(n.contains(6000) && n.contains(6063) && !n.contains(6064) && !n.contains(5999));
  EXPECT_EQ(n.title, "X11 displays");
  EXPECT_EQ(n.transports, (std::vector<transport>{transport::tcp, transport::udp}));
  EXPECT_EQ(n.keywords, (std::vector<std::string>{"x11", "xorg"}));
  EXPECT_TRUE(n.exclusive);
  ASSERT_EQ(n.paragraphs.size(), 2u);
  EXPECT_EQ(n.paragraphs[0], "First paragraph over two lines.");
  ASSERT_EQ(n.related.size(), 1u);
  EXPECT_EQ(n.related[0].port, 22);
  EXPECT_EQ(n.related[0].line, 15u);
  ASSERT_EQ(n.references.size(), 1u);
  EXPECT_EQ(n.references[0].id, "RFC 1013");
  EXPECT_EQ(n.file, file);
}

TEST(range_loader, exclusive_is_optional_and_false_by_default) {
  range_load r = parse_range(replace(valid, "exclusive = true\n", ""), file);
  ASSERT_TRUE(r.value.has_value());
  EXPECT_FALSE(r.value->exclusive);
}

TEST(range_loader, rejects_bounds_out_of_order_or_range) {
  EXPECT_EQ(only_problem(parse_range(replace(valid, "hi = 6063", "hi = 5000"), file)),
            "data/ranges/x11-displays.toml:2: 'hi' (5000) must be above 'lo' (6000): a single "
            "port is an entry in data/ports, not a range");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "hi = 6063", "hi = 6000"), file)),
            "data/ranges/x11-displays.toml:2: 'hi' (6000) must be above 'lo' (6000): a single "
            "port is an entry in data/ports, not a range");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "hi = 6063", "hi = 65536"), file)),
            "data/ranges/x11-displays.toml:2: 'hi' 65536 is out of range 0-65535");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "lo = 6000", "lo = -1"), file)),
            "data/ranges/x11-displays.toml:1: 'lo' -1 is out of range 0-65535");
}

TEST(range_loader, reports_missing_and_mistyped_keys_with_lines) {
  EXPECT_EQ(only_problem(parse_range(replace(valid, "lo = 6000\n", ""), file)),
            "data/ranges/x11-displays.toml:1: missing required key 'lo' (integer) in the range");
  EXPECT_EQ(
      only_problem(parse_range(replace(valid, "exclusive = true", "exclusive = \"yes\""), file)),
      "data/ranges/x11-displays.toml:7: 'exclusive' must be true or false");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "lo = 6000", "lo = 6000\ncolour = 1"), file)),
            "data/ranges/x11-displays.toml:2: unknown key 'colour' in the range (allowed: lo, hi, "
            "title, summary, transports, keywords, body, exclusive, related, references)");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "[\"tcp\", \"udp\"]", "[\"icmp\"]"), file)),
            "data/ranges/x11-displays.toml:5: transports must be \"tcp\", \"udp\", \"sctp\" or "
            "\"dccp\"");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "port = 22", "port = 99999"), file)),
            "data/ranges/x11-displays.toml:15: related port 99999 is out of range 0-65535");
  EXPECT_EQ(only_problem(parse_range(replace(valid, "RFC 1013", "rfc1013"), file)),
            "data/ranges/x11-displays.toml:19: write RFC references as 'RFC N', not 'rfc1013'");
}

TEST(range_loader, a_related_port_inside_the_range_is_allowed) {
  range_load r = parse_range(replace(valid, "port = 22", "port = 6000"), file);
  EXPECT_TRUE(r.value.has_value());
}

TEST(range_loader, rejects_bad_file_names_and_toml_syntax) {
  EXPECT_EQ(only_problem(parse_range(valid, "data/ranges/X11 Displays.toml")),
            "data/ranges/X11 Displays.toml: range files must be named with lower-case letters, "
            "digits and dashes, then .toml (for example linux-ephemeral.toml)");
  EXPECT_EQ(only_problem(parse_range(valid, "data/ranges/x11.txt")).substr(0, 23),
            "data/ranges/x11.txt: ra");
  range_load broken = parse_range("lo = [\n", file);
  ASSERT_EQ(broken.problems.size(), 1u);
  EXPECT_TRUE(to_string(broken.problems[0]).starts_with("data/ranges/x11-displays.toml:"))
      << to_string(broken.problems[0]);
  EXPECT_NE(to_string(broken.problems[0]).find("TOML syntax error"), std::string::npos);
}

}  // namespace
}  // namespace breakwater::db
