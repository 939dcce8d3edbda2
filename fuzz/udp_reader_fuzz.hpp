// The shared body of the UDP protocol readers' fuzz targets: the input is read as one
// datagram and as two (its halves). A reader never crashes, always says something, and names
// only findings of the table.
#pragma once

#include "probe/wire/udp/finding.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

namespace breakwater::probe::udp::fuzz {

using reader_fn = reading (*)(std::span<const std::string_view>);

inline void check(const reading& r) {
  if (r.summary.empty()) std::abort();
  if (!r.finding.empty() && find_finding(r.finding) == nullptr) std::abort();
}

inline void read_all_ways(reader_fn read, std::string_view input) {
  std::string_view one[] = {input};
  check(read(std::span<const std::string_view>(one)));
  std::string_view two[] = {input.substr(0, input.size() / 2), input.substr(input.size() / 2)};
  check(read(std::span<const std::string_view>(two)));
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace breakwater::probe::udp::fuzz
