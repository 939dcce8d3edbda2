#include "db/search_index.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>

namespace breakwater::db {
namespace {

struct field_kind {
  std::string_view name;
  int weight;
};

// Order matters: a lower index is a better field.
// Software names lead: someone searching "plex" wants the port Plex listens on, not every
// port whose text mentions it. Our titles, range titles and keywords outrank words inside
// registered service names: a port we wrote about under that name is what most searchers
// mean.
// An incident (its summary, or the words of its CVE or advisory id) says less of what a port
// is than our summary, and more than IANA's description.
constexpr std::array<field_kind, 9> fields{{{"software", 330},
                                            {"title", 320},
                                            {"range title", 310},
                                            {"keyword", 300},
                                            {"service name", 280},
                                            {"summary", 150},
                                            {"incident", 130},
                                            {"description", 100},
                                            {"text", 20}}};
enum field_id : std::uint8_t {
  f_software,
  f_title,
  f_range_title,
  f_keyword,
  f_service,
  f_summary,
  f_incident,
  f_description,
  f_body
};

// Where a word stands in a name (a software name, a title, a keyword): a name is about its
// first word, and a word that is the whole name is that name. "Oracle iPlanet Web Server"
// lists Oracle's product, but a search for "oracle" means the Oracle Database listener;
// "Multicast DNS" is not what "dns" asks for.
enum word_place : std::uint8_t { later_word, head_word, whole_name };

bool is_name_field(std::uint8_t field) {
  return field == f_software || field == f_title || field == f_range_title || field == f_keyword;
}

// What a match is worth: the field's weight, raised for a whole name and its first word,
// lowered for a later word (below a registered service name). A software name counts in
// full only whole ("plex" for Plex); a part of one weighs as a service name's word does.
int weight_of(std::uint8_t field, std::uint8_t place) {
  const int w = fields[field].weight;
  if (!is_name_field(field)) return w;
  if (field == f_software) return place == whole_name ? w : fields[f_service].weight + 10;
  switch (place) {
    case whole_name: return w + 20;
    case head_word: return w + 10;
    default: return w - 60;
  }
}

// Reasons beyond the fields: a hit on the port number itself.
constexpr std::uint8_t why_port_number = fields.size();
std::string_view reason(std::uint8_t why) {
  return why < fields.size() ? fields[why].name : std::string_view("port number");
}

// Why a hit of several words matched: the best field any of its words matched in (the
// port number first, then the fields in their order).
std::uint8_t better_reason(std::uint8_t a, std::uint8_t b) {
  if (a == why_port_number || b == why_port_number) return why_port_number;
  return std::min(a, b);
}

// Words joined by one space: the key of a phrase, as indexed and as asked.
std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out.append(out.empty() ? "" : " ").append(w);
  return out;
}

constexpr int port_score = 100000;
constexpr int name_score = 50000;
constexpr int unported_name_score = 290;  // below our titles and keywords, above the rest
constexpr int entry_bonus = 5;            // among equals, a port we wrote about comes first
// At most this many of the ports our entries tag with a registered name rank with it: a tag
// on many ports is a category ("ics" on 29 industrial ones), and the registered port stays
// among the first few hits.
constexpr std::size_t max_tag_names = 3;

std::optional<std::pair<unsigned, unsigned>> as_port_range(std::string_view q) {
  auto dash = q.find('-');
  if (dash == std::string_view::npos) {
    auto p = common::parse_port_number(q);
    if (!p) return std::nullopt;
    return std::pair{*p, *p};
  }
  auto a = common::parse_port_number(common::trim(q.substr(0, dash)));
  auto b = common::parse_port_number(common::trim(q.substr(dash + 1)));
  if (!a || !b || *a > *b) return std::nullopt;
  return std::pair{*a, *b};
}

// How much a port's prominence may add: enough to put the port a crowd of entries point to
// (VNC's 5900 among the 58xx and 59xx ports that name VNC too) ahead of one matched in a
// slightly better name field (software, titles and keywords are 10 apart), never enough to
// lift a word of a summary, a description or a body over a name.
constexpr int max_prominence_bonus = 30;

// Prominence from our own entries: how many of them name the port as related. A port many
// entries point to is the one people mean (the in-degree of the related-port graph).
int prominence_bonus(std::size_t referrers) {
  return std::min(max_prominence_bonus,
                  static_cast<int>(6.0 * std::log2(1.0 + static_cast<double>(referrers))));
}

// Words that only say a port follows ("port 80", "22/tcp", "udp 53"): dropped from a query
// that holds a port number, so that the number is what is searched for.
bool port_filler(std::string_view word) {
  for (std::string_view f : {"port", "ports", "tcp", "udp", "sctp", "dccp"}) {
    if (common::iequals(word, f)) return true;
  }
  return false;
}

// The query's parts (split at spaces, '/' and ','), without the words that only announce a
// number, when it holds a port number or range: "port 80" is {"80"}, "tcp 6000-6010" is
// {"6000-6010"}, "ssh 22/tcp" is {"ssh", "22"}. Empty when it holds none.
std::vector<std::string_view> port_query_parts(std::string_view query) {
  std::vector<std::string_view> kept;
  bool number = false;
  auto separator = [](char c) { return c == ' ' || c == '\t' || c == '/' || c == ','; };
  std::size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && separator(query[i])) ++i;
    std::size_t start = i;
    while (i < query.size() && !separator(query[i])) ++i;
    if (start == i) break;
    std::string_view part = query.substr(start, i - start);
    if (port_filler(part)) continue;
    number = number || as_port_range(part).has_value();
    kept.push_back(part);
  }
  if (!number) kept.clear();
  return kept;
}

// The letters and digits a word holds, one bit each. One edit changes at most two bits (a
// letter replaced by a new one), so words `most` edits apart differ in at most 2 x `most`:
// a test of a few instructions that spares most words the full comparison.
std::uint64_t letters_of(std::string_view word) {
  std::uint64_t bits = 0;
  for (char c : word) {
    if (c >= 'a' && c <= 'z') bits |= std::uint64_t{1} << (c - 'a');
    if (c >= '0' && c <= '9') bits |= std::uint64_t{1} << (26 + c - '0');
  }
  return bits;
}

}  // namespace

search_index::search_index(const database& db) : db_(db) {
  first_range_ = port_count;
  first_unported_ = first_range_ + static_cast<target>(db.ranges().size());
  for (const iana_row& r : db.rows()) {
    if (!r.has_port || r.status == iana_status::unassigned) continue;
    // A range row (x11 6000-6063) is indexed at its first port: that is its page.
    target port = r.port_lo;
    if (!r.service.empty()) {
      add_name(r.service, port);
      add_words(r.service, port, f_service);
    }
    add_words(r.description, port, f_description);
  }
  auto unported = db.rows_without_port();
  for (std::size_t i = 0; i < unported.size(); ++i) {
    const iana_row& r = db.rows()[unported[i]];
    target to = first_unported_ + static_cast<target>(i);
    add_name(r.service, to);
    add_words(r.service, to, f_service);
    add_words(r.description, to, f_description);
  }
  std::vector<std::size_t> referrers(port_count, 0);
  for (const entry& e : db.entries()) {
    for (const related_port& r : e.related) {
      if (r.port != e.port) ++referrers[r.port];
    }
    add_words(e.title, e.port, f_title);
    for (const std::string& k : e.keywords) {
      add_words(k, e.port, f_keyword);
      add_phrase(k, e.port);
    }
    for (const std::string& s : e.software) {
      add_words(s, e.port, f_software);
      add_phrase(s, e.port);
    }
    add_words(e.summary, e.port, f_summary);
    for (const std::string& p : e.paragraphs) add_words(p, e.port, f_body);
    add_words(e.advice, e.port, f_body);
    for (const incident& i : e.incidents) {
      add_words(i.summary, e.port, f_incident);
      add_words(i.source, e.port, f_incident);
      // A whole id ("CVE-2014-0160", "MS08-067") is the port it was about, as a name is.
      auto& ports = incident_ids_[common::to_lower(i.source)];
      if (std::find(ports.begin(), ports.end(), e.port) == ports.end()) ports.push_back(e.port);
    }
  }
  for (std::size_t i = 0; i < db.ranges().size(); ++i) {
    const range_note& r = db.ranges()[i];
    target to = first_range_ + static_cast<target>(i);
    add_words(r.title, to, f_range_title);
    for (const std::string& k : r.keywords) add_words(k, to, f_keyword);
    add_words(r.summary, to, f_summary);
    for (const std::string& p : r.paragraphs) add_words(p, to, f_body);
  }
  prominence_.assign(port_count, 0);
  for (std::size_t p = 0; p < port_count; ++p) {
    prominence_[p] = static_cast<std::uint8_t>(prominence_bonus(referrers[p]));
  }
  finish();
}

void search_index::add_name(std::string_view name, target to) {
  auto& list = names_[common::to_lower(name)];
  if (std::find(list.begin(), list.end(), to) == list.end()) list.push_back(to);
}

// A phrase of several words names a thing ("sql server", "Microsoft SQL Server"). A single
// word is only a tag: many entries share some ("windows" on 52, "rpc" on 46), and even as the
// first word of a title ("Microsoft OLAP Services") it would rank a rare port above the one
// most people mean. A tag counts as a name only against a registered name (search).
void search_index::add_phrase(std::string_view text, target to) {
  const std::vector<std::string> words = common::tokenize(text);
  if (words.empty()) return;
  auto& list = (words.size() < 2 ? tags_ : phrases_)[joined(words)];
  if (std::find(list.begin(), list.end(), to) == list.end()) list.push_back(to);
}

// The ports tagged `name` that rank with a registered name: none when every port registered
// under it takes the name up as its own tag (targets from first_unported_ on are names
// without a port, and take nothing up); else the best `max_tag_names` by what their words and
// prominence weigh, ties by port.
std::vector<search_index::target> search_index::tags_ranked_as(
    std::string_view name, const std::vector<target>& registered, const hit_map& words) const {
  auto t = tags_.find(name);
  if (t == tags_.end()) return {};
  const std::vector<target>& tagged = t->second;
  if (std::all_of(registered.begin(), registered.end(), [&](target to) {
        return to >= first_unported_ || std::find(tagged.begin(), tagged.end(), to) != tagged.end();
      })) {
    return {};
  }
  auto weight = [&](target to) {
    auto w = words.find(to);
    return (w != words.end() ? w->second.score : 0) + prominence_[to];
  };
  std::vector<target> best = tagged;
  const std::size_t keep = std::min(max_tag_names, best.size());
  std::partial_sort(
      best.begin(), best.begin() + static_cast<std::ptrdiff_t>(keep), best.end(),
      [&](target a, target b) { return weight(a) != weight(b) ? weight(a) > weight(b) : a < b; });
  best.resize(keep);
  return best;
}

void search_index::add_words(std::string_view text, target to, std::uint8_t field) {
  if (!is_name_field(field)) {
    common::for_each_word(text, [&](std::string_view w) { add(w, to, field, later_word); });
    return;
  }
  const std::vector<std::string> words = common::tokenize(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    add(words[i], to, field, words.size() == 1 ? whole_name : i == 0 ? head_word : later_word);
  }
}

void search_index::add(std::string_view word, target to, std::uint8_t field, std::uint8_t place) {
  auto it = words_.find(word);
  if (it == words_.end()) it = words_.emplace(std::string(word), std::vector<posting>{}).first;
  // Bodies repeat words; one posting per target and field is enough before finish().
  if (!it->second.empty() && it->second.back().to == to && it->second.back().field == field) {
    it->second.back().place = std::max(it->second.back().place, place);
    return;
  }
  it->second.push_back({to, field, place});
}

void search_index::finish() {
  sorted_words_.reserve(words_.size());
  for (auto& [word, list] : words_) {
    sorted_words_.push_back(word);
    // A target can recur far apart (a body and a description); keep its best match.
    std::sort(list.begin(), list.end(), [](posting a, posting b) {
      return a.to != b.to ? a.to < b.to : weight_of(a.field, a.place) > weight_of(b.field, b.place);
    });
    list.erase(
        std::unique(list.begin(), list.end(), [](posting a, posting b) { return a.to == b.to; }),
        list.end());
  }
  std::sort(sorted_words_.begin(), sorted_words_.end());
  words_by_length_.resize(common::max_edit_word + 1);
  word_letters_.reserve(sorted_words_.size());
  for (std::size_t i = 0; i < sorted_words_.size(); ++i) {
    const std::string& w = sorted_words_[i];
    word_letters_.push_back(letters_of(w));
    // A number is matched as a port, never respelled into.
    if (w.size() > common::max_edit_word || common::parse_port_number(w)) continue;
    words_by_length_[w.size()].push_back(static_cast<std::uint32_t>(i));
  }
}

search_hit search_index::hit_for(target to, scored s) const {
  search_hit hit;
  hit.score = s.score;
  hit.why = reason(s.why);
  if (to < first_range_) {
    hit.port = static_cast<std::uint16_t>(to);
  } else if (to < first_unported_) {
    hit.range = &db_.ranges()[to - first_range_];
    hit.port = hit.range->lo;
  } else {
    hit.unported = &db_.rows()[db_.rows_without_port()[to - first_unported_]];
  }
  return hit;
}

void search_index::match_word(std::string_view word, hit_map& best) const {
  auto consider = [&](const std::vector<posting>& list, bool exact) {
    for (posting p : list) {
      int score = weight_of(p.field, p.place) / (exact ? 1 : 2);
      scored& hit = best[p.to];
      if (score > hit.score) hit = {score, p.field};
    }
  };
  if (auto it = words_.find(word); it != words_.end()) consider(it->second, true);
  // A number is that port, and the same number in a text; never a prefix ("22" is not 2222).
  if (auto port = common::parse_port_number(word)) {
    best[*port] = {port_score, why_port_number};
    return;
  }
  if (word.size() < 2) return;
  auto it = std::upper_bound(sorted_words_.begin(), sorted_words_.end(), word);
  for (; it != sorted_words_.end() && std::string_view(*it).starts_with(word); ++it) {
    consider(words_.at(*it), false);
  }
}

// Whether `word` finds anything as it is written: a port number, an indexed word, or the
// start of one.
bool search_index::matches_as_written(std::string_view word) const {
  if (common::parse_port_number(word) || words_.contains(word)) return true;
  if (word.size() < 2) return false;
  auto it = std::lower_bound(sorted_words_.begin(), sorted_words_.end(), word);
  return it != sorted_words_.end() && std::string_view(*it).starts_with(word);
}

// The indexed word nearest `word` in spelling, within one edit (two for words of eight letters
// or more, where two slips are common and the word is still unmistakable); among equals the
// word in more texts, as the likelier meant, then the first in order. Shorter words are left
// alone: one edit away from a three-letter word are dozens of others.
std::optional<std::string_view> search_index::closest_spelling(std::string_view word) const {
  constexpr std::size_t shortest = 4;
  if (word.size() < shortest || word.size() > common::max_edit_word) return std::nullopt;
  const unsigned most = word.size() >= 8 ? 2 : 1;
  std::optional<std::string_view> best;
  unsigned best_edits = most + 1;
  std::size_t best_uses = 0;
  const std::uint64_t letters = letters_of(word);
  const std::size_t lo = word.size() - most;
  const std::size_t hi = std::min(common::max_edit_word, word.size() + most);
  for (std::size_t length = lo; length <= hi; ++length) {
    for (std::uint32_t i : words_by_length_[length]) {
      if (static_cast<unsigned>(std::popcount(letters ^ word_letters_[i])) > 2 * most) continue;
      const std::string& candidate = sorted_words_[i];
      const unsigned edits = common::edit_distance(word, candidate, best_edits);
      if (edits > most || edits > best_edits) continue;
      const std::size_t uses = words_.find(candidate)->second.size();
      if (edits == best_edits && (uses < best_uses || (uses == best_uses && *best < candidate))) {
        continue;
      }
      best = candidate;
      best_edits = edits;
      best_uses = uses;
    }
  }
  return best;
}

// Targets that match every word, with the sum of each word's best field.
search_index::hit_map search_index::match_all(const std::vector<std::string>& words) const {
  hit_map all_words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    hit_map best;
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
      it->second.why = better_reason(it->second.why, found->second.why);
      ++it;
    }
  }
  return all_words;
}

std::vector<search_hit> search_index::search(std::string_view query, std::size_t limit,
                                             std::vector<respelling>* respelled) const {
  // Bounded work whatever the input: a long query is cut, repeated words count once, and
  // only the first few words are matched (each word costs a walk of the index).
  query = common::trim(query.substr(0, max_query_bytes));
  hit_map total;
  const auto parts = port_query_parts(query);
  std::string without_filler;  // "ssh 22/tcp": the words and the number, not "tcp"
  for (std::string_view part : parts) {
    without_filler.append(without_filler.empty() ? "" : " ").append(part);
  }
  // Only numbers and ranges ("20-23", "port 80", "80 443", "80-90 100", "tcp 20 - 23"):
  // those ports, in the order asked, a range's with data only. They are about ports, not
  // words.
  std::vector<std::string_view> asked;
  if (as_port_range(query)) {
    asked = {query};  // "20 - 23" too
  } else if (!parts.empty() && as_port_range(without_filler)) {
    asked = {without_filler};
  } else if (!parts.empty() && std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
               return as_port_range(p).has_value();
             })) {
    asked = parts;
  }
  if (!asked.empty()) {
    for (std::string_view part : asked) {
      auto range = *as_port_range(part);
      for (unsigned p = range.first; p <= range.second && total.size() < limit; ++p) {
        if ((db_.has_data(p) || range.first == range.second) && !total.contains(p)) {
          total[p] = {port_score - static_cast<int>(total.size()), why_port_number};
        }
      }
    }
    return ranked(total, limit);
  }
  if (!parts.empty()) query = without_filler;
  // Each word as indexed, and as the searcher wrote it (to name it if it is respelled).
  std::vector<std::string> words;
  std::vector<std::string_view> written;
  common::for_each_word(query, [&](std::string_view w, std::string_view as_written) {
    if (words.size() == max_query_words) return;
    if (std::find(words.begin(), words.end(), w) != words.end()) return;
    words.emplace_back(w);
    written.push_back(as_written);
  });
  bool respelt = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string& w = words[i];
    if (matches_as_written(w)) continue;
    auto used = closest_spelling(w);
    if (!used) return {};  // every word must match, and this one matches nothing
    if (respelled != nullptr) respelled->push_back({std::string(written[i]), std::string(*used)});
    w = std::string(*used);
    respelt = true;
  }
  hit_map all_words = match_all(words);
  // Names: a whole service name IANA registered (as asked, or as respelled: "telnett" is
  // telnet's) and the best of the ports our entries tag with it, one of our keywords or
  // software names of several words ("sql server"), a whole incident id. Each is a name match, and
  // among name matches what the words say of each port decides ("sql server" is a keyword of 1064
  // and 49161 too; 1433's title says it).
  std::string name = common::to_lower(query);
  const std::string phrase = joined(words);
  if (respelt) name = phrase;
  auto name_match = [&](target to, int score, std::uint8_t why) {
    auto w = all_words.find(to);
    if (score == name_score && w != all_words.end()) score += w->second.score;
    if (total[to].score < score) total[to] = {score, why};
  };
  if (auto it = names_.find(name); it != names_.end()) {
    // A name registered without a port (a DNS-SD type such as "airplay") is worth showing,
    // but the ports where that software really listens matter more.
    for (target to : it->second) {
      name_match(to, to < first_unported_ ? name_score : unported_name_score, f_service);
    }
    // The name is also the tag our entries give other ports ("nomad": IANA's at 5209, the
    // keyword of HashiCorp Nomad's 4646). Unless every port registered under it takes the
    // name up too, the best few of those ports are name matches as well: a port we never
    // wrote about, or wrote about under other names, does not outrank the one we say the
    // name means. Among name matches the words decide, and a whole tag outweighs a service
    // name.
    for (target to : tags_ranked_as(name, it->second, all_words)) {
      name_match(to, name_score, f_keyword);
    }
  }
  if (auto it = phrases_.find(phrase); it != phrases_.end()) {
    for (target to : it->second) name_match(to, name_score, f_keyword);
  }
  if (auto it = incident_ids_.find(common::to_lower(query)); it != incident_ids_.end()) {
    for (target to : it->second) name_match(to, name_score, f_incident);
  }
  for (auto& [to, hit] : all_words) {
    auto& t = total[to];
    if (t.score < hit.score) t = hit;  // a port's name match already outranks its words
  }
  return ranked(total, limit);
}

std::vector<search_hit> search_index::ranked(const hit_map& total, std::size_t limit) const {
  struct candidate {
    target to;
    scored s;
  };
  std::vector<candidate> all;
  all.reserve(total.size());
  for (const auto& [to, s] : total) {
    all.push_back({to, s});
    // A port asked for by number keeps the order asked for; the rest weigh what we know.
    if (to < first_range_ && s.why != why_port_number) {
      if (db_.find_entry(to) != nullptr) all.back().s.score += entry_bonus;
      all.back().s.score += prominence_[to];
    }
  }
  // Ties: ports in order, then range notes by first and last port, then names without a
  // port in registry order. The key is cheap to compare; only the top `limit` are sorted.
  auto tie_key = [this](target to) -> std::uint64_t {
    if (to < first_range_) return to;
    if (to < first_unported_) {
      const range_note& r = db_.ranges()[to - first_range_];
      return (std::uint64_t{1} << 40) | (std::uint64_t{r.lo} << 16) | r.hi;
    }
    return (std::uint64_t{2} << 40) |
           db_.rows()[db_.rows_without_port()[to - first_unported_]].line;
  };
  auto better = [&](const candidate& a, const candidate& b) {
    return a.s.score != b.s.score ? a.s.score > b.s.score : tie_key(a.to) < tie_key(b.to);
  };
  std::size_t keep = std::min(limit, all.size());
  if (keep == all.size()) {
    std::sort(all.begin(), all.end(), better);
  } else {
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      better);
  }
  std::vector<search_hit> out;
  out.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i) out.push_back(hit_for(all[i].to, all[i].s));
  return out;
}

}  // namespace breakwater::db
