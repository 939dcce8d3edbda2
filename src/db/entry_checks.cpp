#include "db/entry_checks.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

#include <map>

namespace breakwater::db {
namespace {

// Sentences this short ("See RFC 959.") may repeat without being pasted prose.
constexpr std::size_t min_sentence_words = 4;

std::vector<std::string_view> prose_of(const entry& e) {
  std::vector<std::string_view> out(e.paragraphs.begin(), e.paragraphs.end());
  out.push_back(e.summary);
  out.push_back(e.advice);
  for (const related_port& r : e.related) out.push_back(r.reason);
  for (const incident& i : e.incidents) out.push_back(i.summary);
  return out;
}

std::vector<std::string_view> prose_of(const range_note& r) {
  std::vector<std::string_view> out(r.paragraphs.begin(), r.paragraphs.end());
  out.push_back(r.summary);
  for (const related_port& rel : r.related) out.push_back(rel.reason);
  return out;
}

// Sentences are keyed by the file that wrote them first; entries come before ranges.
class duplicate_finder {
 public:
  explicit duplicate_finder(common::diagnostics& out) : out_(out) {}

  void add(const std::string& file, const std::vector<std::string_view>& prose) {
    for (std::string_view text : prose) {
      for (const std::string& sentence : common::split_sentences(text)) {
        if (common::count_words(sentence) < min_sentence_words) continue;
        auto [it, inserted] = first_seen_.emplace(common::to_lower(sentence), &file);
        if (inserted || *it->second == file) continue;
        out_.push_back(
            {file, 0, fmt::format("sentence also appears in {}: \"{}\"", *it->second, sentence)});
      }
    }
  }

 private:
  std::map<std::string, const std::string*> first_seen_;
  common::diagnostics& out_;
};

}  // namespace

void check_related(const database& db, const std::string& file,
                   const std::vector<related_port>& related, common::diagnostics& out) {
  for (const related_port& r : related) {
    if (db.find_entry(r.port) == nullptr && !db.has_registration(r.port)) {
      out.push_back(
          {file, r.line,
           fmt::format("related port {} has neither an entry nor an IANA registration", r.port)});
    }
  }
}

void check_body_length(const std::string& file, std::size_t words, common::diagnostics& out) {
  if (words < min_body_words) {
    out.push_back(
        {file, 0, fmt::format("body has {} words; at least {} are needed", words, min_body_words)});
  }
}

common::diagnostics check_entries(const database& db) {
  common::diagnostics out;
  duplicate_finder duplicates(out);
  for (const entry& e : db.entries()) {
    check_related(db, e.file, e.related, out);
    check_body_length(e.file, e.body_words(), out);
    duplicates.add(e.file, prose_of(e));
  }
  for (const range_note& r : db.ranges()) duplicates.add(r.file, prose_of(r));
  return out;
}

}  // namespace breakwater::db
