// libFuzzer target for search queries, which come from any visitor (/search?q=, /api/v1/search):
// any bytes search a small index (with accented words) without crashing, return at most the
// hits asked for and no more respellings than the words searched; and the query's words are
// ASCII letters and digits that tokenize to themselves again.
#include "common/text.hpp"
#include "db/search_index.hpp"
#include "support/test_data.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace breakwater;

db::database make_database() {
  db::database small = db::testing::small_database();
  std::vector<db::iana_row> rows(small.rows().begin(), small.rows().end());
  std::vector<db::entry> entries(small.entries().begin(), small.entries().end());
  entries.push_back(db::testing::make_entry(
      1151, "Unizensus Login Server", "Freie Universität Berlin, Dassault Systèmes, Łódź, café.",
      {"universität"}));
  return db::database(std::move(rows), std::move(entries));
}

bool plain_words(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& w : words) {
    if (w.empty()) return false;
    for (char c : w) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
    }
    joined.append(joined.empty() ? "" : " ").append(w);
  }
  return common::tokenize(joined) == words;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const db::database database = make_database();
  static const db::search_index index(database);
  std::string_view query(reinterpret_cast<const char*>(data), size);
  if (!plain_words(common::tokenize(query))) std::abort();
  std::vector<db::respelling> respelled;
  constexpr std::size_t limit = 5;
  auto hits = index.search(query, limit, &respelled);
  if (hits.size() > limit) std::abort();
  if (respelled.size() > db::search_index::max_query_words) std::abort();
  // A respelled word is named as written: one word of the query.
  for (const db::respelling& r : respelled) {
    if (query.find(r.asked) == std::string_view::npos) std::abort();
    if (common::tokenize(r.asked).size() != 1) std::abort();
  }
  return 0;
}
