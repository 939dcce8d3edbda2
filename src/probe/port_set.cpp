#include "probe/port_set.hpp"

#include "probe/wire/udp/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace breakwater::probe {
namespace {

struct named_set {
  std::string_view name;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;
};

std::vector<std::pair<std::uint16_t, std::uint16_t>> udp_common_ranges() {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> out;
  for (std::uint16_t p : udp::common_ports()) out.emplace_back(p, p);
  return out;
}

// GRC's "common ports" list, the service and file-sharing sets, and the UDP ports whose
// protocols the UDP prober speaks.
const std::array<named_set, 5>& named_sets() {
  static const std::array<named_set, 5> sets{{
      {"common",
       {{0, 0},
        {21, 23},
        {25, 25},
        {79, 80},
        {110, 110},
        {113, 113},
        {119, 119},
        {135, 135},
        {139, 139},
        {143, 143},
        {389, 389},
        {443, 443},
        {445, 445},
        {1002, 1002},
        {1024, 1030},
        {1720, 1720},
        {5000, 5000}}},
      {"service", {{0, 1055}}},
      {"file-sharing", {{137, 139}, {445, 445}}},
      {"all", {{0, 65535}}},
      {"udp-common", udp_common_ranges()},
  }};
  return sets;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

class spec_reader {
 public:
  explicit spec_reader(std::string_view spec) : spec_(spec) {}

  boost::system::result<port_set, port_set_error> read() {
    port_set set;
    if (trimmed_empty())
      return fail(0, spec_, "the port list is empty; give e.g. 443, 0-1055 or common");
    for (;;) {
      skip_spaces();
      std::size_t start = pos_;
      std::size_t end = spec_.find(',', pos_);
      if (end == std::string_view::npos) end = spec_.size();
      std::size_t last = end;
      while (last > start && is_space(spec_[last - 1])) --last;
      if (last == start) return fail(start, "", "an empty item (two commas, or a comma at an end)");
      if (auto err = read_item(spec_.substr(start, last - start), start, set)) return *err;
      if (end == spec_.size()) break;
      pos_ = end + 1;
    }
    return set;
  }

 private:
  bool trimmed_empty() const {
    return std::all_of(spec_.begin(), spec_.end(), [](char c) { return is_space(c); });
  }
  void skip_spaces() {
    while (pos_ < spec_.size() && is_space(spec_[pos_])) ++pos_;
  }

  std::optional<port_set_error> read_item(std::string_view item, std::size_t at, port_set& set) {
    if (std::isalpha(static_cast<unsigned char>(item.front()))) return read_name(item, at, set);
    std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      auto p = read_port(item, at);
      if (!p) return p.error();
      set.add(*p);
      return std::nullopt;
    }
    auto lo = read_port(trim(item.substr(0, dash)), at);
    if (!lo) return lo.error();
    std::size_t hi_at = at + dash + 1;
    std::string_view hi_text = item.substr(dash + 1);
    while (!hi_text.empty() && is_space(hi_text.front())) {
      hi_text.remove_prefix(1);
      ++hi_at;
    }
    auto hi = read_port(hi_text, hi_at);
    if (!hi) return hi.error();
    if (*hi < *lo) {
      return fail(at, item,
                  fmt::format("the range '{}' runs backwards; write {}-{}", item, *hi, *lo));
    }
    set.add_range(*lo, *hi);
    return std::nullopt;
  }

  std::optional<port_set_error> read_name(std::string_view item, std::size_t at, port_set& set) {
    for (const named_set& s : named_sets()) {
      if (item == s.name) {
        for (auto [lo, hi] : s.ranges) set.add_range(lo, hi);
        return std::nullopt;
      }
    }
    return fail(at, item,
                "unknown port set name; the names are common, service, file-sharing, all and "
                "udp-common");
  }

  boost::system::result<std::uint16_t, port_set_error> read_port(std::string_view text,
                                                                 std::size_t at) {
    if (text.empty()) return fail(at, text, "a port number is missing");
    unsigned long value = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') {
        return fail(at + i, text.substr(i, 1),
                    fmt::format("'{}' is not part of a port number", text.substr(i, 1)));
      }
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) return fail(at, text, "ports run from 0 to 65535");
    }
    return static_cast<std::uint16_t>(value);
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
  }

  port_set_error fail(std::size_t at, std::string_view text, std::string_view why) const {
    std::string quoted = text.empty() ? std::string("nothing") : fmt::format("'{}'", text);
    return {fmt::format("bad port list at position {} ({}): {}", at + 1, quoted, why), at,
            std::string(text)};
  }

  std::string_view spec_;
  std::size_t pos_ = 0;
};

}  // namespace

void port_set::add(std::uint16_t port) noexcept { add_range(port, port); }

void port_set::add_range(std::uint16_t lo, std::uint16_t hi) noexcept {
  if (hi < lo) return;
  // Runs stay sorted, disjoint and apart by at least one port: merge with every run that
  // overlaps or touches [lo, hi].
  auto first = std::lower_bound(runs_.begin(), runs_.end(), lo, [](const run& r, std::uint16_t p) {
    return static_cast<unsigned>(r.second) + 1 < p;
  });
  auto last = first;
  unsigned new_lo = lo, new_hi = hi;
  while (last != runs_.end() && last->first <= static_cast<unsigned>(hi) + 1) {
    new_lo = std::min<unsigned>(new_lo, last->first);
    new_hi = std::max<unsigned>(new_hi, last->second);
    count_ -= static_cast<std::size_t>(last->second - last->first) + 1;
    ++last;
  }
  auto at = runs_.erase(first, last);
  runs_.insert(at, run{static_cast<std::uint16_t>(new_lo), static_cast<std::uint16_t>(new_hi)});
  count_ += new_hi - new_lo + 1;
}

bool port_set::contains(std::uint16_t port) const noexcept {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), port,
                             [](std::uint16_t p, const run& r) { return p < r.first; });
  return it != runs_.begin() && std::prev(it)->second >= port;
}

std::vector<std::uint16_t> port_set::ports() const {
  std::vector<std::uint16_t> out;
  out.reserve(count_);
  for (auto [lo, hi] : runs_) {
    for (unsigned p = lo; p <= hi; ++p) out.push_back(static_cast<std::uint16_t>(p));
  }
  return out;
}

std::vector<std::pair<std::uint16_t, std::uint16_t>> port_set::ranges() const { return runs_; }

std::string port_set::to_string() const { return format_ranges(ranges(), ","); }

boost::system::result<port_set, port_set_error> parse_port_set(std::string_view spec) {
  return spec_reader(spec).read();
}

std::vector<std::string_view> named_port_sets() {
  std::vector<std::string_view> out;
  for (const auto& s : named_sets()) out.push_back(s.name);
  return out;
}

std::string format_ranges(const std::vector<std::pair<std::uint16_t, std::uint16_t>>& ranges,
                          std::string_view separator) {
  std::string out;
  for (auto [lo, hi] : ranges) {
    if (!out.empty()) out += separator;
    out += lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi);
  }
  return out;
}

}  // namespace breakwater::probe
