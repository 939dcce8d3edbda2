// Our written note for a range of ports that gives each port in it a meaning (a system's
// ephemeral range, X11 displays, Steam's game ports): data/ranges/NAME.toml.
#pragma once

#include "db/entry.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace breakwater::db {

struct range_note {
  std::string id;  // the file's name without .toml: "linux-ephemeral"
  std::uint16_t lo = 0;
  std::uint16_t hi = 0;
  std::string title;
  std::string summary;
  std::vector<transport> transports;
  std::vector<std::string> keywords;
  std::vector<std::string> paragraphs;  // the body, one string per paragraph
  // An exclusive range claims its ports alone among exclusive ranges (RFC 6335's three
  // ranges, for example); other notes may overlap anything.
  bool exclusive = false;
  std::vector<related_port> related;
  std::vector<reference> references;
  std::string file;      // where it was loaded from, for messages
  std::size_t line = 0;  // the line of `lo`, for messages about the span

  bool contains(unsigned port) const noexcept { return port >= lo && port <= hi; }
  unsigned width() const noexcept { return static_cast<unsigned>(hi - lo) + 1; }
  std::size_t body_words() const noexcept;
};

}  // namespace breakwater::db
