#include "db/search_index.hpp"

#include "test_data.hpp"

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
