// Helpers of the UDP protocol tests: datagrams written as byte lists, readers run on one
// datagram, and the garbage every reader must survive.
#pragma once

#include "probe/wire/udp/finding.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::probe::udp::test {

inline std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out += static_cast<char>(b);
  return out;
}

using reader_fn = reading (*)(std::span<const std::string_view>);

inline reading read_one(reader_fn read, std::string_view datagram) {
  std::string_view one[] = {datagram};
  return read(std::span<const std::string_view>(one));
}

// A finding, when there is one, must be a key of the findings table.
inline void expect_known_finding(const reading& r) {
  if (!r.finding.empty()) {
    EXPECT_NE(find_finding(r.finding), nullptr) << r.finding;
  }
  EXPECT_FALSE(r.summary.empty());
}

// Every prefix of a real answer, and a few thousand random datagrams: never a crash, always a
// summary with, if any, a known finding.
inline void survives_prefixes_and_garbage(reader_fn read, std::string_view real) {
  for (std::size_t n = 0; n < real.size(); ++n)
    expect_known_finding(read_one(read, real.substr(0, n)));
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> size(0, 300), byte(0, 255);
  for (int i = 0; i < 3000; ++i) {
    std::string d(static_cast<std::size_t>(size(random)), '\0');
    for (auto& c : d) c = static_cast<char>(byte(random));
    // Half of them start like the real answer, to get past the first checks.
    if (i % 2 == 0)
      d.replace(0, std::min(d.size(), real.size() / 2),
                real.substr(0, std::min(d.size(), real.size() / 2)));
    expect_known_finding(read_one(read, d));
  }
}

}  // namespace breakwater::probe::udp::test
