// libFuzzer target for search queries, which come from any visitor (/search?q=, /api/v1/search):
// any bytes search a small index without crashing, return at most the hits asked for, each
// saying why it matched, and report no more respellings than the words it searches.
#include "db/search_index.hpp"
#include "support/test_data.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using breakwater::db::search_index;
  static const breakwater::db::database db = breakwater::db::testing::small_database();
  static const search_index index(db);
  std::string_view query(reinterpret_cast<const char*>(data), size);
  std::vector<breakwater::db::respelling> respelled;
  constexpr std::size_t limit = 5;
  auto hits = index.search(query, limit, &respelled);
  if (hits.size() > limit) std::abort();
  for (const auto& h : hits) {
    if (h.why.empty()) std::abort();
  }
  if (respelled.size() > search_index::max_query_words) std::abort();
  return 0;
}
