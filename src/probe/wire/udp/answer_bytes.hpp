// What the UDP protocol files share: a bounds-checked reader of answers, big-endian writers for
// requests, and the words every reader uses for people. Internal to the UDP wire code and its
// tests.
#pragma once

#include "probe/wire/udp/protocol.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::probe::udp::detail {

// Reads forward through a datagram. A read past the end yields zero (or an empty view) and
// leaves the reader failed for good: ok() false, nothing left. So a parser reads a whole header
// and checks ok() once, a loop over what is left ends, and nothing is ever read past the bytes.
class byte_reader {
 public:
  // Starts at offset `at`: past the end, the reader has failed.
  // It views the bytes: a temporary string would be gone before the first read.
  byte_reader(std::string&&, std::size_t = 0) = delete;
  explicit byte_reader(std::string_view bytes, std::size_t at = 0) noexcept
      : bytes_(bytes), at_(std::min(at, bytes.size())), ok_(at <= bytes.size()) {}

  bool ok() const noexcept { return ok_; }
  std::size_t offset() const noexcept { return at_; }
  std::size_t left() const noexcept { return bytes_.size() - at_; }
  std::string_view rest() const noexcept { return bytes_.substr(at_); }

  // Big-endian, as every protocol here but SQL Server's sends numbers.
  std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(number(1)); }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(number(2)); }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(number(4)); }
  std::uint16_t u16_le() noexcept {
    auto v = u16();
    return static_cast<std::uint16_t>(v >> 8 | (v & 0xff) << 8);
  }

  // The next `n` bytes.
  std::string_view take(std::size_t n) noexcept {
    if (n > left()) {
      fail();
      return {};
    }
    auto v = bytes_.substr(at_, n);
    at_ += n;
    return v;
  }
  void skip(std::size_t n) noexcept { (void)take(n); }
  // Up to the next NUL, which is consumed; there must be one.
  std::string_view c_string() noexcept {
    auto text = rest().substr(0, rest().find('\0'));
    if (text.size() == left()) {
      fail();
      return {};
    }
    skip(text.size() + 1);
    return text;
  }

 private:
  std::uint32_t number(std::size_t n) noexcept {
    std::uint32_t v = 0;
    for (char c : take(n)) v = v << 8 | static_cast<std::uint8_t>(c);
    return v;
  }
  void fail() noexcept {
    ok_ = false;
    at_ = bytes_.size();
  }

  std::string_view bytes_;
  std::size_t at_;
  bool ok_;
};

inline void put_u8(std::string& out, std::size_t v) { out += static_cast<char>(v & 0xff); }
inline void put_u16(std::string& out, std::size_t v) {
  put_u8(out, v >> 8);
  put_u8(out, v);
}
inline void put_u32(std::string& out, std::uint32_t v) {
  put_u16(out, v >> 16);
  put_u16(out, v & 0xffff);
}

// `text` cut at every `sep`: "a;b;" gives "a", "b", "". At most `most` pieces, the last
// holding the rest.
std::vector<std::string_view> split(std::string_view text, char sep, std::size_t most = SIZE_MAX);

std::size_t total_bytes(std::span<const std::string_view> answers) noexcept;

// "an answer that is not SIP (42 bytes)", "2 answers that are not SIP (84 bytes in all)": the
// port is open, the protocol is not the one asked.
std::string not_the_protocol(std::string_view protocol_name,
                             std::span<const std::string_view> answers);

// "an answer of 42 bytes", or "3 answers, 420 bytes in all".
std::string answer_size(std::span<const std::string_view> answers);

// Device text for a summary: `"..."` around escaped_text(text, limit).
std::string quoted(std::string_view text, std::size_t limit = 60);

// "1 answer", "3 answers".
std::string count_text(std::size_t n, std::string_view noun);

// "a, b, c and 2 more": the first `shown` of `items`, each written by `text`.
template <typename Items, typename Text>
std::string listed(const Items& items, std::size_t shown, Text text) {
  std::string s;
  std::size_t i = 0;
  for (const auto& item : items) {
    if (i == shown) return s + " and " + std::to_string(std::size(items) - shown) + " more";
    if (i++ > 0) s += ", ";
    s += text(item);
  }
  return s;
}
template <typename Items>
std::string listed(const Items& items, std::size_t shown) {
  return listed(items, shown, [](std::string_view item) { return item; });
}

// The reading of a protocol whose answers are read one at a time: the first that `summary`
// makes something of (a std::optional<std::string>), with `finding`; otherwise "not the
// protocol".
template <typename Summary>
reading first_answer(std::span<const std::string_view> answers, std::string_view protocol_name,
                     std::string_view finding, Summary summary) {
  for (auto a : answers) {
    if (std::optional<std::string> s = summary(a)) return {std::move(*s), finding};
  }
  return {not_the_protocol(protocol_name, answers), {}};
}

}  // namespace breakwater::probe::udp::detail
