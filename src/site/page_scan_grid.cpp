// The result grids: one cell per port (rows of 32 for 0-1055, like the original ShieldsUP), or
// one cell per 256 ports for very large sets. Every cell links to its port and says its state.
// TCP and UDP have a grid each: a UDP cell is keyed "u53", never sharing the TCP cell "p53".
#include "site/page_scan.hpp"
#include "site/udp_words.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

namespace breakwater::site {
namespace {

constexpr std::size_t row_length = 32;
constexpr std::size_t max_cells = 2048;  // beyond this, cells stand for blocks of 256 ports
constexpr std::size_t block = 256;

// In the order of the block counts below; filtered is UDP only.
enum class cell_state { open, closed, stealth, pending, filtered };
constexpr std::size_t cell_states = 5;

// What differs between the two grids.
struct grid_kind {
  bool udp = false;
  std::string_view grid_id;       // "grid", "grid-udp"
  std::string_view cell_prefix;   // "p22", "u53"
  std::string_view block_prefix;  // "b0", "ub0"
};
constexpr grid_kind tcp_grid{false, "grid", "p", "b"};
constexpr grid_kind udp_grid{true, "grid-udp", "u", "ub"};

cell_state state_of(const probe::port_result& r, bool udp) {
  switch (r.state) {
    case probe::port_state::open: return cell_state::open;
    case probe::port_state::closed: return cell_state::closed;
    case probe::port_state::filtered: return udp ? cell_state::filtered : cell_state::closed;
    case probe::port_state::stealth: return cell_state::stealth;
  }
  return cell_state::pending;
}

std::string_view class_of(cell_state s) {
  switch (s) {
    case cell_state::open: return "st-open";
    case cell_state::closed: return "st-closed";
    case cell_state::filtered: return "st-filtered";
    case cell_state::stealth: return "st-stealth";
    case cell_state::pending: return "st-pending";
  }
  return "st-pending";
}

// After a cancelled or failed scan, undecided ports will not be tested any more. On UDP,
// silence is "no answer": it may be a service that stays silent.
std::string_view word_of(cell_state s, bool running, bool udp) {
  switch (s) {
    case cell_state::open: return "open";
    case cell_state::closed: return "closed";
    case cell_state::filtered: return "filtered";
    case cell_state::stealth: return udp ? "no answer" : "stealth";
    case cell_state::pending: return running ? "not yet tested" : "not tested";
  }
  return "";
}

using cell_list = std::vector<std::pair<std::uint16_t, cell_state>>;

// The probed ports with their state so far, ascending (results and set are both sorted).
cell_list cells_of(const probe::port_set& set, const std::vector<probe::port_result>& results,
                   bool udp) {
  cell_list out;
  std::size_t i = 0;
  for (std::uint16_t port : set.ports()) {
    while (i < results.size() && results[i].port < port) ++i;
    bool known = i < results.size() && results[i].port == port;
    out.emplace_back(port, known ? state_of(results[i], udp) : cell_state::pending);
  }
  return out;
}

std::string cell_title(const grid_kind& g, std::uint16_t port, cell_state s, bool running) {
  if (!g.udp) return fmt::format("Port {}: {}", port, word_of(s, running, false));
  std::string_view name = udp_protocol_name(port);
  if (name.empty()) return fmt::format("UDP port {}: {}", port, word_of(s, running, true));
  return fmt::format("UDP port {} ({}): {}", port, name, word_of(s, running, true));
}

void cell(html& h, const grid_kind& g, std::uint16_t port, cell_state s, bool show_number,
          bool running) {
  h.raw("<a class=\"c ").raw(class_of(s)).raw(show_number ? " num" : "").raw("\" id=\"");
  h.raw(g.cell_prefix).number(port).raw("\" href=\"/port/").number(port).raw("\"");
  // scan.js words live titles and list items with it.
  if (std::string_view name = g.udp ? udp_protocol_name(port) : ""; !name.empty()) {
    h.raw(" data-name=\"").text(name).raw("\"");
  }
  h.raw(" title=\"");
  h.text(cell_title(g, port, s, running)).raw("\">");
  if (show_number) h.number(port);
  h.raw("</a>");
}

bool aligned_range(const probe::port_set& set) {
  auto ranges = set.ranges();
  return ranges.size() == 1 && ranges[0].first % row_length == 0;
}

// `tag`: a flowing grid starts with "UDP", so that its cells say so beside their numbers and
// not only in their titles (a grid of rows has its heading instead).
void grid_open(html& h, const grid_kind& g, std::string_view classes, bool tag = true) {
  h.raw("<div class=\"grid ").raw(classes).raw(g.udp ? " udp" : "").raw("\" id=\"");
  h.raw(g.grid_id).raw("\">");
  if (g.udp && tag) h.raw("<span class=\"tag\" aria-hidden=\"true\">UDP</span>");
}

void rows(html& h, const grid_kind& g, const cell_list& cells, bool running) {
  grid_open(h, g, "rows", false);
  for (std::size_t i = 0; i < cells.size(); i += row_length) {
    h.raw("<div class=\"row\"><span class=\"rl\" aria-hidden=\"true\">").number(cells[i].first);
    h.raw("</span>");
    for (std::size_t j = i; j < cells.size() && j < i + row_length; ++j) {
      cell(h, g, cells[j].first, cells[j].second, false, running);
    }
    h.raw("</div>");
  }
  h.raw("</div>");
}

void compact(html& h, const grid_kind& g, const cell_list& cells, bool running) {
  bool numbers = cells.size() <= 128;
  grid_open(h, g, numbers ? "compact numbered" : "compact");
  for (const auto& [port, s] : cells) cell(h, g, port, s, numbers, running);
  h.raw("</div>");
}

// One cell per 256-port block that holds probed ports: red if any is open, else blue if any is
// closed (or filtered), green when all are stealth, grey while undecided.
void blocks(html& h, const grid_kind& g, const cell_list& cells, bool running) {
  std::vector<std::array<std::size_t, cell_states>> counts(65536 / block,
                                                           std::array<std::size_t, cell_states>{});
  for (const auto& [port, s] : cells) ++counts[port / block][static_cast<std::size_t>(s)];
  h.raw("<p class=\"muted\">").text("Each square stands for 256 ports.").raw("</p>");
  grid_open(h, g, "compact blocks");
  auto n_of = [](const auto& n, cell_state s) { return n[static_cast<std::size_t>(s)]; };
  for (std::size_t b = 0; b < counts.size(); ++b) {
    const auto& n = counts[b];
    std::size_t total = 0;
    for (std::size_t k : n) total += k;
    if (total == 0) continue;
    std::size_t refused = n_of(n, cell_state::closed) + n_of(n, cell_state::filtered);
    cell_state s = n_of(n, cell_state::open) > 0      ? cell_state::open
                   : refused > 0                      ? cell_state::closed
                   : n_of(n, cell_state::pending) > 0 ? cell_state::pending
                                                      : cell_state::stealth;
    std::size_t lo = b * block;
    h.raw("<a class=\"c ").raw(class_of(s)).raw("\" id=\"").raw(g.block_prefix).number(b);
    h.raw("\" data-n=\"").number(total).raw("\" href=\"/port/").number(lo).raw("\" title=\"");
    h.text(fmt::format("{}orts {}-{}: {} open, {} closed, {} {}, {} {}", g.udp ? "UDP p" : "P", lo,
                       lo + block - 1, n_of(n, cell_state::open), refused,
                       n_of(n, cell_state::stealth), word_of(cell_state::stealth, running, g.udp),
                       n_of(n, cell_state::pending), word_of(cell_state::pending, running, g.udp)));
    h.raw("\"></a>");
  }
  h.raw("</div>");
}

void any_grid(html& h, const grid_kind& g, const probe::port_set& set,
              const std::vector<probe::port_result>& results, bool running) {
  if (set.empty()) return;
  cell_list cells = cells_of(set, results, g.udp);
  if (cells.size() > max_cells) {
    blocks(h, g, cells, running);
  } else if (aligned_range(set) && cells.size() > row_length) {
    rows(h, g, cells, running);
  } else {
    compact(h, g, cells, running);
  }
}

}  // namespace

void scan_grid(html& h, const scan::scan_view& v) {
  any_grid(h, tcp_grid, v.ports, v.result.ports, v.phase == scan::scan_phase::running);
}

void scan_udp_grid(html& h, const scan::scan_view& v) {
  any_grid(h, udp_grid, v.udp_ports, v.result.udp, v.phase == scan::scan_phase::running);
}

}  // namespace breakwater::site
