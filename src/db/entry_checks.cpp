#include "db/entry_checks.hpp"

#include "db/text.hpp"

#include <fmt/format.h>

#include <map>

namespace breakwater::db {
namespace {

// Sentences this short ("See RFC 959.") may repeat without being pasted prose.
constexpr std::size_t min_sentence_words = 4;

bool port_exists(const database& db, unsigned port) {
  if (db.find_entry(port) != nullptr) return true;
  for (std::uint32_t id : db.rows_at(port)) {
    if (db.rows()[id].status != iana_status::unassigned) return true;
  }
  return false;
}

void check_related(const database& db, const entry& e, diagnostics& out) {
  for (const related_port& r : e.related) {
    if (!port_exists(db, r.port)) {
      out.push_back(
          {e.file, r.line,
           fmt::format("related port {} has neither an entry nor an IANA registration", r.port)});
    }
  }
}

void check_length(const entry& e, diagnostics& out) {
  if (std::size_t words = e.body_words(); words < min_body_words) {
    out.push_back(
        {e.file, 0,
         fmt::format("body has {} words; at least {} are needed", words, min_body_words)});
  }
}

std::vector<std::string_view> prose_of(const entry& e) {
  std::vector<std::string_view> out(e.paragraphs.begin(), e.paragraphs.end());
  out.push_back(e.summary);
  out.push_back(e.advice);
  for (const related_port& r : e.related) out.push_back(r.reason);
  for (const incident& i : e.incidents) out.push_back(i.summary);
  return out;
}

void check_duplicates(const database& db, diagnostics& out) {
  std::map<std::string, const entry*> first_seen;
  for (const entry& e : db.entries()) {
    for (std::string_view text : prose_of(e)) {
      for (const std::string& sentence : split_sentences(text)) {
        if (count_words(sentence) < min_sentence_words) continue;
        auto [it, inserted] = first_seen.emplace(to_lower(sentence), &e);
        if (inserted || it->second == &e) continue;
        out.push_back(
            {e.file, 0,
             fmt::format("sentence also appears in {}: \"{}\"", it->second->file, sentence)});
      }
    }
  }
}

}  // namespace

diagnostics check_entries(const database& db) {
  diagnostics out;
  for (const entry& e : db.entries()) {
    check_related(db, e, out);
    check_length(e, out);
  }
  check_duplicates(db, out);
  return out;
}

}  // namespace breakwater::db
