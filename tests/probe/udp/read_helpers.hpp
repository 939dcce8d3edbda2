// Helpers of the UDP protocol tests: datagrams written as hex or as byte lists, readers run on
// one or several datagrams, and the checks every reader must pass on truncated and foreign
// bytes.
#pragma once

#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"
#include "probe/wire/udp/finding.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

// "0a0b 0c" -> "\x0a\x0b\x0c"; spaces are ignored.
inline std::string from_hex(std::string_view hex) {
  auto value = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    if (high < 0) {
      high = value(c);
    } else {
      out += static_cast<char>(high << 4 | value(c));
      high = -1;
    }
  }
  return out;
}

using reader = reading (*)(std::span<const std::string_view>);

inline reading read_answers(reader read, std::initializer_list<std::string_view> answers) {
  std::vector<std::string_view> v(answers);
  return read(v);
}

inline reading read_one(reader read, std::string_view answer) {
  return read_answers(read, {answer});
}

// The reading of one answer that is not `protocol_name`'s: the port is open, nothing more.
inline bool not_the(std::string_view protocol_name, const reading& r) {
  return r.summary.starts_with("an answer that is not " + std::string(protocol_name) + " (") &&
         r.finding.empty();
}

// Every prefix of `answer`: the reader must neither crash nor read past the bytes (the
// sanitizer builds check that); returns how many proper prefixes still carried a finding.
inline int findings_in_prefixes(reader read, std::string_view answer) {
  int with_finding = 0;
  for (std::size_t n = 0; n < answer.size(); ++n) {
    std::string copy(answer.substr(0, n));  // its own buffer: overreads show up under ASan
    if (!read_one(read, copy).finding.empty()) ++with_finding;
  }
  return with_finding;
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
inline void survives_prefixes_and_garbage(reader read, std::string_view real) {
  for (std::size_t n = 0; n < real.size(); ++n)
    expect_known_finding(read_one(read, std::string(real.substr(0, n))));
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
