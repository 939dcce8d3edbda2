#include "db/search_index.hpp"

#include "db/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace breakwater::db {
namespace {

struct field_kind {
  std::string_view name;
  int weight;
};

// Order matters: a lower index is a better field.
// Our titles and keywords outrank words inside registered service names: a port we
// wrote about under that name is what most searchers mean.
constexpr std::array<field_kind, 6> fields{{{"title", 320},
                                            {"keyword", 300},
                                            {"service name", 280},
                                            {"summary", 150},
                                            {"description", 100},
                                            {"text", 20}}};
enum field_id : std::uint8_t { f_title, f_keyword, f_service, f_summary, f_description, f_body };

constexpr int port_score = 100000;
constexpr int name_score = 50000;
constexpr int entry_bonus = 5;  // among equals, a port we wrote about comes first

std::optional<std::pair<unsigned, unsigned>> as_port_range(std::string_view q) {
  auto dash = q.find('-');
  if (dash == std::string_view::npos) {
    auto p = parse_port_number(q);
    if (!p) return std::nullopt;
    return std::pair{*p, *p};
  }
  auto a = parse_port_number(trim(q.substr(0, dash)));
  auto b = parse_port_number(trim(q.substr(dash + 1)));
  if (!a || !b || *a > *b) return std::nullopt;
  return std::pair{*a, *b};
}

}  // namespace

search_index::search_index(const database& db) : db_(db) {
  for (const iana_row& r : db.rows()) {
    if (!r.has_port || r.status == iana_status::unassigned) continue;
    // A range row (x11 6000-6063) is indexed at its first port: that is its page.
    std::uint16_t port = r.port_lo;
    if (!r.service.empty()) {
      auto& ports = names_[to_lower(r.service)];
      if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
      add_words(r.service, port, f_service);
    }
    add_words(r.description, port, f_description);
  }
  for (const entry& e : db.entries()) {
    add_words(e.title, e.port, f_title);
    for (const std::string& k : e.keywords) add_words(k, e.port, f_keyword);
    for (const std::string& k : e.software) add_words(k, e.port, f_keyword);
    add_words(e.summary, e.port, f_summary);
    for (const std::string& p : e.paragraphs) add_words(p, e.port, f_body);
  }
  finish();
}

void search_index::add_words(std::string_view text, std::uint16_t port, std::uint8_t field) {
  for_each_word(text, [&](std::string_view w) { add(w, port, field); });
}

void search_index::add(std::string_view word, std::uint16_t port, std::uint8_t field) {
  auto it = words_.find(word);
  if (it == words_.end()) it = words_.emplace(std::string(word), std::vector<posting>{}).first;
  // Bodies repeat words; one posting per port and field is enough before finish().
  if (!it->second.empty() && it->second.back().port == port && it->second.back().field == field) {
    return;
  }
  it->second.push_back({port, field});
}

void search_index::finish() {
  sorted_words_.reserve(words_.size());
  for (auto& [word, list] : words_) {
    sorted_words_.push_back(word);
    // A port can recur far apart (a body and a description); keep its best field.
    std::sort(list.begin(), list.end(), [](posting a, posting b) {
      return a.port != b.port ? a.port < b.port : a.field < b.field;
    });
    list.erase(std::unique(list.begin(), list.end(),
                           [](posting a, posting b) { return a.port == b.port; }),
               list.end());
  }
  std::sort(sorted_words_.begin(), sorted_words_.end());
}

void search_index::match_word(std::string_view word,
                              std::unordered_map<std::uint16_t, search_hit>& best) const {
  auto consider = [&](const std::vector<posting>& list, bool exact) {
    for (posting p : list) {
      int score = fields[p.field].weight / (exact ? 1 : 2);
      auto& hit = best[p.port];
      if (score > hit.score) hit = {p.port, score, fields[p.field].name};
    }
  };
  if (auto it = words_.find(word); it != words_.end()) consider(it->second, true);
  if (word.size() < 2) return;
  auto it = std::upper_bound(sorted_words_.begin(), sorted_words_.end(), word);
  for (; it != sorted_words_.end() && std::string_view(*it).starts_with(word); ++it) {
    consider(words_.at(*it), false);
  }
}

std::vector<search_hit> search_index::search(std::string_view query, std::size_t limit) const {
  // Bounded work whatever the input: a long query is cut, repeated words count once, and
  // only the first few words are matched (each word costs a walk of the index).
  query = trim(query.substr(0, max_query_bytes));
  std::unordered_map<std::uint16_t, search_hit> total;
  if (auto range = as_port_range(query)) {
    for (unsigned p = range->first; p <= range->second && total.size() < limit; ++p) {
      if (db_.has_data(p) || range->first == range->second) {
        auto port = static_cast<std::uint16_t>(p);
        total[port] = {port, port_score - static_cast<int>(p - range->first), "port number"};
      }
    }
    return ranked(total, limit);  // "20-23" is about ports, not the words 20 and 23
  }
  if (auto it = names_.find(to_lower(query)); it != names_.end()) {
    for (std::uint16_t port : it->second) total[port] = {port, name_score, "service name"};
  }
  std::vector<std::string> words;
  for (std::string& w : tokenize(query)) {
    if (words.size() == max_query_words) break;
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(std::move(w));
  }
  std::unordered_map<std::uint16_t, search_hit> all_words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::unordered_map<std::uint16_t, search_hit> best;
    match_word(words[i], best);
    if (i == 0) {
      all_words = std::move(best);
      continue;
    }
    for (auto it = all_words.begin(); it != all_words.end();) {
      auto found = best.find(it->first);
      if (found == best.end()) {
        it = all_words.erase(it);
        continue;
      }
      it->second.score += found->second.score;
      ++it;
    }
  }
  for (auto& [port, hit] : all_words) {
    auto& t = total[port];
    if (t.score == 0) t = hit;  // name matches already outrank word matches
  }
  return ranked(total, limit);
}

std::vector<search_hit> search_index::ranked(
    const std::unordered_map<std::uint16_t, search_hit>& total, std::size_t limit) const {
  std::vector<search_hit> out;
  out.reserve(total.size());
  for (const auto& [port, hit] : total) {
    out.push_back(hit);
    if (db_.find_entry(port) != nullptr) out.back().score += entry_bonus;
  }
  std::sort(out.begin(), out.end(), [](const search_hit& a, const search_hit& b) {
    return a.score != b.score ? a.score > b.score : a.port < b.port;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace breakwater::db
