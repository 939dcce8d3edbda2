#include "db/entry_checks.hpp"

#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

std::string long_body(std::string_view topic) {
  std::string body;
  for (int i = 0; i < 20; ++i)
    body += std::string(topic) + " fact number " + std::to_string(i) + ". ";
  return body;
}

std::vector<std::string> messages(const common::diagnostics& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(to_string(d));
  return out;
}

TEST(entry_checks, accepts_good_entries) {
  std::vector<entry> entries{testing::make_entry(22, "SSH", long_body("Shell")),
                             testing::make_entry(23, "Telnet", long_body("Telnet"))};
  entries[0].related.push_back({23, "Telnet is what SSH replaced.", 9});
  entries[0].related.push_back({1, "The multiplexer is registered.", 12});
  database db({testing::row("tcpmux", 1, 1, transport::tcp, "mux")}, std::move(entries));
  EXPECT_TRUE(check_entries(db).empty()) << ::testing::PrintToString(messages(check_entries(db)));
}

TEST(entry_checks, reports_dangling_related_ports_at_their_line) {
  std::vector<entry> entries{testing::make_entry(22, "SSH", long_body("Shell"))};
  entries[0].related.push_back({4, "Nothing is here.", 9});
  database db({testing::row("", 4, 4, transport::tcp, "Unassigned")}, std::move(entries));
  EXPECT_EQ(
      messages(check_entries(db)),
      std::vector<std::string>{
          "data/ports/22.toml:9: related port 4 has neither an entry nor an IANA registration"});
}

TEST(entry_checks, reports_short_bodies) {
  database db({}, {testing::make_entry(22, "SSH", "Too short to explain anything.")});
  EXPECT_EQ(
      messages(check_entries(db)),
      std::vector<std::string>{"data/ports/22.toml: body has 5 words; at least 80 are needed"});
}

TEST(entry_checks, reports_sentences_that_appear_in_two_entries) {
  std::string shared = "Never expose this service to the internet at all. ";
  database db({}, {testing::make_entry(22, "SSH", long_body("Shell") + shared),
                   testing::make_entry(23, "Telnet", shared + long_body("Telnet"))});
  EXPECT_EQ(messages(check_entries(db)),
            std::vector<std::string>{
                "data/ports/23.toml: sentence also appears in data/ports/22.toml: \"Never expose "
                "this service to the internet at all.\""});
}

TEST(entry_checks, allows_short_sentences_to_repeat) {
  std::string shared = "See RFC 959. ";
  database db({}, {testing::make_entry(20, "FTP data", long_body("Data") + shared),
                   testing::make_entry(21, "FTP", shared + long_body("Control"))});
  EXPECT_TRUE(check_entries(db).empty());
}

}  // namespace
}  // namespace breakwater::db
