// Helpers for the UDP protocol tests: answers written as hex (captures from real daemons),
// and reading one or several answers through a protocol's reader.
#pragma once

#include "probe/wire/udp/protocol.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::probe::udp::test {

using reader = reading (*)(std::span<const std::string_view>);

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

inline reading read_answers(reader read, std::initializer_list<std::string_view> answers) {
  std::vector<std::string_view> v(answers);
  return read(v);
}

inline reading read_one(reader read, std::string_view answer) {
  return read_answers(read, {answer});
}

// Every prefix of `answer` and a few kinds of garbage: the reader must neither crash nor
// read past the bytes (the sanitizer builds check that); returns the readings of the proper
// prefixes that still carried a finding.
inline int findings_in_prefixes(reader read, std::string_view answer) {
  int with_finding = 0;
  for (std::size_t n = 0; n < answer.size(); ++n) {
    std::string copy(answer.substr(0, n));  // its own buffer: overreads show up under ASan
    if (!read_one(read, copy).finding.empty()) ++with_finding;
  }
  return with_finding;
}

}  // namespace breakwater::probe::udp::test
