// The result grid: one cell per port (rows of 32 for 0-1055, like the original ShieldsUP), or
// one cell per 256 ports for very large sets. Every cell links to its port and says its state.
#include "site/page_scan.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

namespace breakwater::site {
namespace {

constexpr std::size_t row_length = 32;
constexpr std::size_t max_cells = 2048;  // beyond this, cells stand for blocks of 256 ports
constexpr std::size_t block = 256;

enum class cell_state { open, closed, stealth, pending };

cell_state state_of(const probe::port_result& r) {
  switch (r.state) {
    case probe::port_state::open: return cell_state::open;
    case probe::port_state::closed:
    case probe::port_state::filtered: return cell_state::closed;
    case probe::port_state::stealth: return cell_state::stealth;
  }
  return cell_state::pending;
}

std::string_view class_of(cell_state s) {
  switch (s) {
    case cell_state::open: return "st-open";
    case cell_state::closed: return "st-closed";
    case cell_state::stealth: return "st-stealth";
    case cell_state::pending: return "st-pending";
  }
  return "st-pending";
}

// After a cancelled or failed scan, undecided ports will not be tested any more.
std::string_view word_of(cell_state s, bool running) {
  switch (s) {
    case cell_state::open: return "open";
    case cell_state::closed: return "closed";
    case cell_state::stealth: return "stealth";
    case cell_state::pending: return running ? "not yet tested" : "not tested";
  }
  return "";
}

// The probed ports with their state so far, ascending (results and set are both sorted).
std::vector<std::pair<std::uint16_t, cell_state>> cells_of(const scan::scan_view& v) {
  std::vector<std::pair<std::uint16_t, cell_state>> out;
  const auto& results = v.result.ports;
  std::size_t i = 0;
  for (std::uint16_t port : v.ports.ports()) {
    while (i < results.size() && results[i].port < port) ++i;
    bool known = i < results.size() && results[i].port == port;
    out.emplace_back(port, known ? state_of(results[i]) : cell_state::pending);
  }
  return out;
}

void cell(html& h, std::uint16_t port, cell_state s, bool show_number, bool running) {
  h.raw("<a class=\"c ").raw(class_of(s)).raw(show_number ? " num" : "").raw("\" id=\"p");
  h.number(port).raw("\" href=\"/port/").number(port).raw("\" title=\"");
  h.text(fmt::format("Port {}: {}", port, word_of(s, running))).raw("\">");
  if (show_number) h.number(port);
  h.raw("</a>");
}

bool aligned_range(const scan::scan_view& v) {
  auto ranges = v.ports.ranges();
  return ranges.size() == 1 && ranges[0].first % row_length == 0;
}

void rows(html& h, const std::vector<std::pair<std::uint16_t, cell_state>>& cells, bool running) {
  h.raw("<div class=\"grid rows\" id=\"grid\">");
  for (std::size_t i = 0; i < cells.size(); i += row_length) {
    h.raw("<div class=\"row\"><span class=\"rl\" aria-hidden=\"true\">").number(cells[i].first);
    h.raw("</span>");
    for (std::size_t j = i; j < cells.size() && j < i + row_length; ++j) {
      cell(h, cells[j].first, cells[j].second, false, running);
    }
    h.raw("</div>");
  }
  h.raw("</div>");
}

void compact(html& h, const std::vector<std::pair<std::uint16_t, cell_state>>& cells,
             bool running) {
  bool numbers = cells.size() <= 128;
  h.raw("<div class=\"grid compact").raw(numbers ? " numbered" : "").raw("\" id=\"grid\">");
  for (const auto& [port, s] : cells) cell(h, port, s, numbers, running);
  h.raw("</div>");
}

// One cell per 256-port block that holds probed ports: red if any is open, else blue if any is
// closed, green when all are stealth, grey while undecided.
void blocks(html& h, const std::vector<std::pair<std::uint16_t, cell_state>>& cells, bool running) {
  std::vector<std::array<std::size_t, 4>> counts(65536 / block, {0, 0, 0, 0});
  for (const auto& [port, s] : cells) ++counts[port / block][static_cast<std::size_t>(s)];
  h.raw("<p class=\"muted\">").text("Each square stands for 256 ports.").raw("</p>");
  h.raw("<div class=\"grid compact blocks\" id=\"grid\">");
  for (std::size_t b = 0; b < counts.size(); ++b) {
    const auto& n = counts[b];
    std::size_t total = n[0] + n[1] + n[2] + n[3];
    if (total == 0) continue;
    cell_state s = n[0] > 0   ? cell_state::open
                   : n[1] > 0 ? cell_state::closed
                   : n[3] > 0 ? cell_state::pending
                              : cell_state::stealth;
    std::size_t lo = b * block;
    h.raw("<a class=\"c ").raw(class_of(s)).raw("\" id=\"b").number(b).raw("\" data-n=\"");
    h.number(total).raw("\" href=\"/port/").number(lo).raw("\" title=\"");
    h.text(fmt::format("Ports {}-{}: {} open, {} closed, {} stealth, {} {}", lo, lo + block - 1,
                       n[0], n[1], n[2], n[3], word_of(cell_state::pending, running)));
    h.raw("\"></a>");
  }
  h.raw("</div>");
}

}  // namespace

void scan_grid(html& h, const scan::scan_view& v) {
  if (v.ports.empty()) return;
  auto cells = cells_of(v);
  bool running = v.phase == scan::scan_phase::running;
  if (cells.size() > max_cells) {
    blocks(h, cells, running);
  } else if (aligned_range(v) && cells.size() > row_length) {
    rows(h, cells, running);
  } else {
    compact(h, cells, running);
  }
}

}  // namespace breakwater::site
