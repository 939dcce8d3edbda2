// Bounded reading and writing of network-order fields, for the UDP protocol files. Internal to
// the UDP wire code and its tests.
#pragma once

#include "probe/wire/udp/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace breakwater::probe::udp::detail {

// Reads big-endian fields off a datagram. A read past the end yields zeros (or an empty view)
// and makes ok() false for good, so a parser reads a whole header and checks once.
class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes, std::size_t at = 0) noexcept : bytes_(bytes) {
    if (at > bytes_.size()) {
      ok_ = false;
      at = bytes_.size();
    }
    at_ = at;
  }

  bool ok() const noexcept { return ok_; }
  std::size_t offset() const noexcept { return at_; }
  std::size_t left() const noexcept { return bytes_.size() - at_; }
  std::string_view rest() const noexcept { return bytes_.substr(at_); }

  std::uint8_t u8() noexcept {
    auto b = take(1);
    return b.empty() ? 0 : static_cast<std::uint8_t>(b[0]);
  }
  std::uint16_t u16() noexcept {
    auto b = take(2);
    if (b.size() < 2) return 0;
    return static_cast<std::uint16_t>(byte(b, 0) << 8 | byte(b, 1));
  }
  std::uint16_t u16_le() noexcept {
    auto b = take(2);
    if (b.size() < 2) return 0;
    return static_cast<std::uint16_t>(byte(b, 1) << 8 | byte(b, 0));
  }
  std::uint32_t u32() noexcept {
    auto b = take(4);
    if (b.size() < 4) return 0;
    return std::uint32_t{byte(b, 0)} << 24 | std::uint32_t{byte(b, 1)} << 16 |
           std::uint32_t{byte(b, 2)} << 8 | byte(b, 3);
  }
  // The next `n` bytes, or an empty view (and !ok()) when fewer are left.
  std::string_view take(std::size_t n) noexcept {
    if (!ok_ || n > left()) {
      ok_ = false;
      return {};
    }
    auto v = bytes_.substr(at_, n);
    at_ += n;
    return v;
  }
  void skip(std::size_t n) noexcept { (void)take(n); }

 private:
  static std::uint8_t byte(std::string_view b, std::size_t i) noexcept {
    return static_cast<std::uint8_t>(b[i]);
  }

  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

inline void put_u8(std::string& out, unsigned v) { out += static_cast<char>(v & 0xff); }
inline void put_u16(std::string& out, unsigned v) {
  put_u8(out, v >> 8);
  put_u8(out, v);
}
inline void put_u32(std::string& out, std::uint32_t v) {
  put_u16(out, v >> 16);
  put_u16(out, v & 0xffff);
}

// The summary of answers that are not the protocol's: the port is open, nothing more known.
inline std::string not_protocol_summary(std::span<const std::string_view> answers,
                                        std::string_view protocol_name) {
  std::size_t total = 0;
  for (auto a : answers) total += a.size();
  if (answers.size() == 1) {
    return "an answer that is not " + std::string(protocol_name) + " (" + std::to_string(total) +
           " bytes)";
  }
  return std::to_string(answers.size()) + " answers that are not " + std::string(protocol_name) +
         " (" + std::to_string(total) + " bytes in all)";
}

}  // namespace breakwater::probe::udp::detail
