#include "db/range_checks.hpp"
#include "db/entry_checks.hpp"

#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

// A body of `words` distinct words, so that no two notes share a sentence by accident.
std::string words(std::size_t n, std::string_view seed) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += std::string(seed) + std::to_string(i) + " ";
  return out;
}

range_note note(std::string id, unsigned lo, unsigned hi, bool exclusive) {
  range_note r;
  r.id = id;
  r.lo = static_cast<std::uint16_t>(lo);
  r.hi = static_cast<std::uint16_t>(hi);
  r.title = "Range " + id;
  r.summary = "About " + id + ".";
  r.transports = {transport::tcp};
  r.paragraphs = {words(90, id)};
  r.exclusive = exclusive;
  r.file = "data/ranges/" + id + ".toml";
  r.line = 1;
  return r;
}

std::vector<std::string> messages(const common::diagnostics& ds) {
  std::vector<std::string> out;
  for (const common::diagnostic& d : ds) out.push_back(to_string(d));
  return out;
}

database with_ranges(std::vector<range_note> ranges, std::vector<entry> entries = {}) {
  return database({testing::row("ssh", 22, 22, transport::tcp, "SSH")}, std::move(entries),
                  std::move(ranges));
}

TEST(range_checks, valid_ranges_pass_and_non_exclusive_ones_may_overlap) {
  database db = with_ranges({note("system", 0, 1023, true), note("user", 1024, 49151, true),
                             note("old", 1025, 5000, false), note("other", 1000, 2000, false)});
  EXPECT_TRUE(check_ranges(db).empty()) << ::testing::PrintToString(messages(check_ranges(db)));
}

TEST(range_checks, exclusive_ranges_must_not_overlap) {
  database db = with_ranges({note("a", 0, 1023, true), note("b", 1023, 2000, true),
                             note("c", 100, 200, true), note("d", 5000, 6000, true)});
  EXPECT_EQ(messages(check_ranges(db)),
            (std::vector<std::string>{
                "data/ranges/c.toml:1: exclusive range 100-200 overlaps exclusive range 0-1023 "
                "(data/ranges/a.toml)",
                "data/ranges/b.toml:1: exclusive range 1023-2000 overlaps exclusive range 0-1023 "
                "(data/ranges/a.toml)"}));
}

TEST(range_checks, bodies_need_80_words_and_related_ports_must_exist) {
  range_note shortish = note("short", 10, 20, false);
  shortish.paragraphs = {"Too short to explain anything."};
  range_note dangling = note("dangling", 30, 40, false);
  dangling.related.push_back({23, "Telnet.", 7});
  dangling.related.push_back({22, "SSH is registered.", 9});
  database db = with_ranges({shortish, dangling});
  EXPECT_EQ(messages(check_ranges(db)),
            (std::vector<std::string>{
                "data/ranges/short.toml: body has 5 words; at least 80 are needed",
                "data/ranges/dangling.toml:7: related port 23 has neither an entry nor an IANA "
                "registration"}));
}

TEST(range_checks, a_sentence_shared_with_an_entry_or_another_range_is_reported) {
  range_note a = note("a", 10, 20, false);
  a.paragraphs.push_back("Port scanners find this range on old Windows machines.");
  range_note b = note("b", 30, 40, false);
  b.summary = "Port scanners find this range on old Windows machines.";
  entry e =
      testing::make_entry(22, "SSH", "Port scanners find this range on old Windows machines.");
  database db = with_ranges({a, b}, {e});
  EXPECT_EQ(messages(check_entries(db)),
            (std::vector<std::string>{
                "data/ports/22.toml: body has 9 words; at least 80 are needed",
                "data/ranges/a.toml: sentence also appears in data/ports/22.toml: \"Port "
                "scanners find this range on old Windows machines.\"",
                "data/ranges/b.toml: sentence also appears in data/ports/22.toml: \"Port "
                "scanners find this range on old Windows machines.\""}));
}

TEST(range_checks, ranges_at_lists_the_narrowest_first) {
  database db = with_ranges({note("wide", 0, 65535, false), note("narrow", 6000, 6063, false),
                             note("mid", 5000, 7000, false)});
  std::vector<std::string> ids;
  for (const range_note* r : db.ranges_at(6001)) ids.push_back(r->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"narrow", "mid", "wide"}));
  EXPECT_EQ(db.ranges_at(7001).size(), 1u);
  EXPECT_EQ(db.ranges_at(7000).size(), 2u) << "a range's last port is in it";
  EXPECT_EQ(db.ranges_at(4999).size(), 1u);
  EXPECT_EQ(db.ranges_at(6063).size(), 3u);
  EXPECT_EQ(db.ranges_at(6064).size(), 2u);
  EXPECT_EQ(db.ranges_at(65535).size(), 1u);
  EXPECT_EQ(with_ranges({}).ranges_at(80).size(), 0u);
  EXPECT_EQ(db.lookup(6001).ranges.size(), 3u);
}

}  // namespace
}  // namespace breakwater::db
