#include "db/search_index.hpp"

#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::db {
namespace {

std::vector<unsigned> ports(const std::vector<search_hit>& hits) {
  std::vector<unsigned> out;
  for (const auto& h : hits) out.push_back(h.port);
  return out;
}

class search_index_test : public ::testing::Test {
 protected:
  database db_ = testing::small_database();
  search_index index_{db_};
};

TEST_F(search_index_test, exact_service_name_comes_first) {
  auto hits = index_.search("ssh", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 22);
  EXPECT_EQ(hits[0].why, "service name");
  EXPECT_EQ(ports(hits), (std::vector<unsigned>{22, 830}));
}

TEST_F(search_index_test, long_and_repetitive_queries_are_cut) {
  // Repeats count once, and words past the first few are not matched at all: the same
  // answer as the short query, however much follows.
  std::string repeated;
  for (int i = 0; i < 500; ++i) repeated += "ssh ";
  EXPECT_EQ(ports(index_.search(repeated, 10)), ports(index_.search("ssh", 10)));
  std::string tail = "ssh";
  for (int i = 0; i < 20; ++i) tail += " w" + std::to_string(i);
  std::string first_eight = "ssh";
  for (int i = 0; i < 7; ++i) first_eight += " w" + std::to_string(i);
  EXPECT_EQ(ports(index_.search(tail, 10)), ports(index_.search(first_eight, 10)));
  EXPECT_TRUE(index_.search(std::string(8192, 'x'), 10).empty());
}

TEST_F(search_index_test, finds_a_port_number_and_a_range) {
  EXPECT_EQ(ports(index_.search("443", 10)), std::vector<unsigned>{443});
  EXPECT_EQ(ports(index_.search("0-22", 10)), (std::vector<unsigned>{0, 1, 22}))
      << "a range lists the ports that have data, in order";
  EXPECT_EQ(ports(index_.search("5", 10)), std::vector<unsigned>{5}) << "one port, even unassigned";
}

TEST_F(search_index_test, every_word_must_match) {
  EXPECT_EQ(ports(index_.search("window system", 10)), std::vector<unsigned>{6000});
  EXPECT_TRUE(index_.search("window shell", 10).empty());
}

TEST_F(search_index_test, matches_titles_keywords_descriptions_and_bodies) {
  EXPECT_EQ(ports(index_.search("tls", 10)), std::vector<unsigned>{443});
  EXPECT_EQ(ports(index_.search("multiplexer", 10)), std::vector<unsigned>{1});
  EXPECT_EQ(ports(index_.search("consoles", 10)), std::vector<unsigned>{8081});
  EXPECT_EQ(index_.search("WEB ADMIN", 10).front().port, 8081) << "case does not matter";
}

TEST_F(search_index_test, a_prefix_matches_at_lower_rank) {
  auto hits = index_.search("multi", 10);
  ASSERT_EQ(ports(hits), std::vector<unsigned>{1});
  EXPECT_LT(hits[0].score, index_.search("multiplexer", 10)[0].score);
}

TEST_F(search_index_test, respects_the_limit_and_finds_nothing_gracefully) {
  EXPECT_EQ(index_.search("ssh", 1).size(), 1u);
  EXPECT_TRUE(index_.search("zzzz", 10).empty());
  EXPECT_TRUE(index_.search("   ", 10).empty());
}

}  // namespace
}  // namespace breakwater::db

namespace breakwater::db {
namespace {

// Software names, range notes and names without a port, beside ordinary registrations.
class search_kinds_test : public ::testing::Test {
 protected:
  static database make() {
    std::vector<iana_row> rows{
        testing::row("plexus", 1000, 1000, transport::tcp, "Plex us"),
        testing::row("media", 1001, 1001, transport::tcp, "Plex media streaming"),
        testing::row("x11", 6000, 6063, transport::tcp, "X Window System"),
    };
    iana_row unported;
    unported.service = "airplay";
    unported.proto = transport::tcp;
    unported.description = "Protocol for streaming of audio/video content";
    unported.line = 9;
    rows.push_back(unported);
    entry plex = testing::make_entry(32400, "Media server", "Streams films.");
    plex.software = {"Plex Media Server"};
    entry airplay = testing::make_entry(7000, "AirPlay receiver", "Apple devices stream here.");
    range_note steam;
    steam.id = "steam";
    steam.lo = 27000;
    steam.hi = 27100;
    steam.title = "Steam game traffic";
    steam.summary = "Valve's client.";
    steam.paragraphs = {"Game traffic."};
    return database(std::move(rows), {plex, airplay}, {steam});
  }
  database db_ = make();
  search_index index_{db_};
};

TEST_F(search_kinds_test, a_software_name_ranks_its_port_first) {
  auto hits = index_.search("plex", 10);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].port, 32400);
  EXPECT_EQ(hits[0].why, "software");
  auto media = index_.search("plex media", 10);
  ASSERT_FALSE(media.empty());
  EXPECT_EQ(media[0].port, 32400);
}

TEST_F(search_kinds_test, range_titles_are_found_as_ranges) {
  auto hits = index_.search("steam", 10);
  ASSERT_EQ(hits.size(), 1u);
  ASSERT_NE(hits[0].range, nullptr);
  EXPECT_EQ(hits[0].range->id, "steam");
  EXPECT_EQ(hits[0].port, 27000);
  EXPECT_EQ(hits[0].why, "range title");
}

TEST_F(search_kinds_test, names_without_a_port_are_found_below_our_entries) {
  auto hits = index_.search("airplay", 10);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].port, 7000) << "our entry's title outranks a port-less name";
  ASSERT_NE(hits[1].unported, nullptr);
  EXPECT_EQ(hits[1].unported->service, "airplay");
  EXPECT_EQ(hits[1].why, "service name");
}

}  // namespace
}  // namespace breakwater::db
