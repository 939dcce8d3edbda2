// Port sets ("443", "0-1055", "21,22,80-90", "common"): the one parser used by the CLI and the web.
#pragma once

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::probe {

inline constexpr std::size_t max_ports = 65536;

class port_set {
 public:
  void add(std::uint16_t port) noexcept;
  void add_range(std::uint16_t lo, std::uint16_t hi) noexcept;  // inclusive
  bool contains(std::uint16_t port) const noexcept;
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  // The ports in ascending order.
  std::vector<std::uint16_t> ports() const;
  // Maximal runs of consecutive ports, ascending: {{0,20},{22,22}}.
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges() const;
  // The canonical spec: "21-23,80"; parses back to the same set.
  std::string to_string() const;

  friend bool operator==(const port_set&, const port_set&) = default;

 private:
  // Maximal runs of consecutive ports, ascending: a single port costs 4 bytes, the full
  // range too (the scan service keeps thousands of these).
  using run = std::pair<std::uint16_t, std::uint16_t>;
  std::vector<run> runs_;
  std::size_t count_ = 0;
};

// Why a spec was refused: what, where (0-based byte offset) and the offending text.
struct port_set_error {
  std::string message;  // complete sentence for the user, names the text and position
  std::size_t position = 0;
  std::string text;
};

// Named sets: common, service (0-1055), file-sharing, all (0-65535), udp-common (the UDP
// ports whose protocols the UDP prober speaks: probe/wire/udp/protocol.cpp).
// Grammar: item ("," item)*, item = port | port "-" port | name; spaces around items allowed.
boost::system::result<port_set, port_set_error> parse_port_set(std::string_view spec);

// The names parse_port_set knows, for help texts.
std::vector<std::string_view> named_port_sets();

// Stealth ranges and such for people: "0-20, 23, 25-79".
std::string format_ranges(const std::vector<std::pair<std::uint16_t, std::uint16_t>>& ranges,
                          std::string_view separator = ", ");

}  // namespace breakwater::probe
