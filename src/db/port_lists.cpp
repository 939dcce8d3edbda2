#include "db/port_lists.hpp"
#include "common/read_file.hpp"

#include "common/text.hpp"
#include "db/database_loader.hpp"

#include <fmt/format.h>

#include <set>
#include <unordered_set>

namespace breakwater::db {
namespace {

std::unordered_set<unsigned> ports_of(const port_list& list) {
  std::unordered_set<unsigned> out;
  for (const listed_port& p : list.ports) out.insert(p.port);
  return out;
}

void check_duplicates(const port_list& list, common::diagnostics& out) {
  std::set<unsigned> seen;
  for (const listed_port& p : list.ports) {
    if (!seen.insert(p.port).second) {
      out.push_back({list.file, p.line, fmt::format("port {} is listed twice", p.port)});
    }
  }
}

void check_excluded(const database& db, const port_lists& lists, common::diagnostics& out) {
  for (const listed_port& p : lists.excluded.ports) {
    if (p.note.empty()) {
      out.push_back({lists.excluded.file, p.line,
                     fmt::format("port {} needs a reason after the number", p.port)});
    }
    if (db.find_entry(p.port) != nullptr) {
      out.push_back(
          {lists.excluded.file, p.line,
           fmt::format("port {} has an entry in ports/; remove it from this list", p.port)});
    }
  }
  std::unordered_set<unsigned> top = ports_of(lists.top_tcp);
  top.merge(ports_of(lists.top_udp));
  std::size_t allowed = top.size() * max_excluded_percent / 100;
  if (std::size_t n = ports_of(lists.excluded).size(); n > allowed) {
    out.push_back({lists.excluded.file, 0,
                   fmt::format("{} ports are left out; at most {} may be ({}% of the {} ports of "
                               "the two top lists): write entries for the rest",
                               n, allowed, max_excluded_percent, top.size())});
  }
}

void check_promised(const database& db, const port_list& list,
                    const std::unordered_set<unsigned>& excluded,
                    const std::unordered_set<unsigned>& pending, common::diagnostics& out) {
  for (const listed_port& p : list.ports) {
    if (db.find_entry(p.port) != nullptr || excluded.contains(p.port) || pending.contains(p.port)) {
      continue;
    }
    out.push_back({list.file, p.line,
                   fmt::format("port {} has no entry in ports/ and is neither in excluded.txt "
                               "(with a reason) nor in pending.txt",
                               p.port)});
  }
}

}  // namespace

port_list parse_port_list(std::string_view text, std::string_view file, common::diagnostics& out) {
  port_list list;
  list.file = std::string(file);
  std::size_t start = 0, line = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view content = common::trim(text.substr(start, end - start));
    start = end + 1;
    ++line;
    if (content.empty() || content.front() == '#') continue;
    std::size_t space = content.find_first_of(" \t");
    std::string_view number = content.substr(0, space);
    auto port = common::parse_port_number(number);
    if (!port) {
      out.push_back({list.file, line,
                     fmt::format("'{}' is not a port number (0-65535); a line holds one port, "
                                 "then optionally text",
                                 number)});
      continue;
    }
    std::string_view rest =
        space == std::string_view::npos ? "" : common::trim(content.substr(space));
    list.ports.push_back({*port, line, std::string(rest)});
  }
  return list;
}

common::diagnostics check_port_lists(const database& db, const port_lists& lists) {
  common::diagnostics out;
  for (const port_list* l :
       {&lists.top_tcp, &lists.top_udp, &lists.modern, &lists.excluded, &lists.pending}) {
    check_duplicates(*l, out);
  }
  check_excluded(db, lists, out);
  auto excluded = ports_of(lists.excluded);
  auto pending = ports_of(lists.pending);
  for (const port_list* l : {&lists.top_tcp, &lists.top_udp, &lists.modern}) {
    check_promised(db, *l, excluded, pending, out);
  }
  return out;
}

common::diagnostics check_port_lists(const database& db, const std::filesystem::path& data_dir) {
  std::error_code ec;
  auto dir = data_dir / port_lists_dir;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  common::diagnostics out;
  auto read = [&](std::string_view name) {
    std::string shown = (data_dir.filename() / port_lists_dir / name).string();
    auto text = common::read_file(dir / name);
    if (!text) {
      out.push_back({shown, 0, "missing: every file of port-lists/ is needed"});
      return port_list{shown, {}};
    }
    return parse_port_list(*text, shown, out);
  };
  port_lists lists{read("top-tcp.txt"), read("top-udp.txt"), read("modern.txt"),
                   read("excluded.txt"), read("pending.txt")};
  common::diagnostics checked = check_port_lists(db, lists);
  out.insert(out.end(), checked.begin(), checked.end());
  return out;
}

}  // namespace breakwater::db
