// The chosen port lists (data/port-lists/): the ports we promise an entry for, the few left
// out with a reason, and those whose entries are still being written.
#pragma once

#include "common/diagnostic.hpp"
#include "db/database.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::db {

inline constexpr std::string_view port_lists_dir = "port-lists";

// Ports of the two top lists that excluded.txt may leave out, in percent.
inline constexpr unsigned max_excluded_percent = 5;

struct listed_port {
  unsigned port = 0;
  std::size_t line = 0;
  std::string note;  // the rest of the line: a reason in excluded.txt, a comment elsewhere
};

struct port_list {
  std::string file;  // for messages: data/port-lists/top-tcp.txt
  std::vector<listed_port> ports;
};

// One port a line, optionally followed by text; blank lines and lines starting with '#'
// are skipped. Lines that do not start with a port number are reported.
port_list parse_port_list(std::string_view text, std::string_view file, common::diagnostics& out);

struct port_lists {
  port_list top_tcp, top_udp, modern;  // the promised ports
  port_list excluded;                  // left out, each with a reason
  port_list pending;                   // entries still being written
};

// Every promised port has an entry, or is excluded (with a reason), or pending (it may
// also have an entry already: writers land entries before the list shrinks). Excluded
// ports number at most max_excluded_percent of the two top lists and have no entry.
common::diagnostics check_port_lists(const database& db, const port_lists& lists);

// Reads data/port-lists/*.txt and runs check_port_lists; a data directory without
// port-lists/ promises nothing and passes.
common::diagnostics check_port_lists(const database& db, const std::filesystem::path& data_dir);

}  // namespace breakwater::db
