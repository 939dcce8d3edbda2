// The body of the UDP protocol fuzz targets. read_input: the first byte picks one reader of a
// family file and whether the rest arrives as one datagram or two; read_all_ways: one reader
// gets the input as one datagram and as its two halves. Either way the reader must not crash,
// read out of bounds, name a finding the table lacks, or write an empty or unbounded summary.
#pragma once

#include "probe/wire/udp/families.hpp"
#include "probe/wire/udp/finding.hpp"

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::probe::udp::fuzz {

using reader = reading (*)(std::span<const std::string_view>);

inline void check(const reading& r) {
  if (!r.finding.empty() && find_finding(r.finding) == nullptr) std::abort();
  if (r.summary.empty() || r.summary.size() > 1000) std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline void read_all_ways(reader read, std::string_view input) {
  std::string whole(input);  // copies, so that AddressSanitizer sees each datagram's end
  std::string_view one[] = {whole};
  check(read(std::span<const std::string_view>(one)));
  std::string first(input.substr(0, input.size() / 2)), second(input.substr(input.size() / 2));
  std::string_view two[] = {first, second};
  check(read(std::span<const std::string_view>(two)));
}

inline int read_input(std::initializer_list<reader> readers, const std::uint8_t* data,
                      std::size_t size) {
  if (size == 0) return 0;
  reader read = readers.begin()[data[0] % readers.size()];
  bool split = (data[0] / readers.size()) % 2 == 1;
  // Copies, so that AddressSanitizer sees the end of each datagram.
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> datagrams;
  if (split) {
    datagrams = {rest.substr(0, rest.size() / 2), rest.substr(rest.size() / 2)};
  } else {
    datagrams = {rest};
  }
  std::vector<std::string_view> answers(datagrams.begin(), datagrams.end());
  check(read(answers));
  return 0;
}

}  // namespace breakwater::probe::udp::fuzz
