// Reading and writing the binary UDP protocols of this folder: a bounds-checked cursor over an
// answer (every read says whether the bytes were there), big-endian writers for requests, and
// the words shared by the readers. Internal to the UDP wire code and its tests.
#pragma once

#include "probe/wire/udp/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace breakwater::probe::udp::detail {

// Reads forward through `bytes`; a read that would pass the end fails and moves nothing, so a
// reader checks each result and never looks past the datagram.
class byte_cursor {
 public:
  explicit byte_cursor(std::string_view bytes) noexcept : bytes_(bytes) {}

  std::size_t left() const noexcept { return bytes_.size() - pos_; }
  std::size_t pos() const noexcept { return pos_; }
  std::string_view rest() const noexcept { return bytes_.substr(pos_); }

  bool u8(std::uint8_t& v) noexcept {
    if (left() < 1) return false;
    v = static_cast<std::uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool u16(std::uint16_t& v) noexcept { return big_endian(v, 2); }
  bool u32(std::uint32_t& v) noexcept { return big_endian(v, 4); }
  bool u64(std::uint64_t& v) noexcept { return big_endian(v, 8); }
  bool take(std::size_t n, std::string_view& out) noexcept {
    if (left() < n) return false;
    out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(std::size_t n) noexcept {
    if (left() < n) return false;
    pos_ += n;
    return true;
  }
  // Up to the next NUL, which is consumed; fails when there is none.
  bool c_string(std::string_view& out) noexcept {
    std::size_t nul = bytes_.find('\0', pos_);
    if (nul == std::string_view::npos) return false;
    out = bytes_.substr(pos_, nul - pos_);
    pos_ = nul + 1;
    return true;
  }

 private:
  template <typename T>
  bool big_endian(T& v, std::size_t n) noexcept {
    if (left() < n) return false;
    T out = 0;
    for (std::size_t i = 0; i < n; ++i)
      out = static_cast<T>(out << 8 | static_cast<std::uint8_t>(bytes_[pos_ + i]));
    v = out;
    pos_ += n;
    return true;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
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

inline std::size_t total_bytes(std::span<const std::string_view> answers) noexcept {
  std::size_t n = 0;
  for (auto a : answers) n += a.size();
  return n;
}

// "an answer that is not SIP (42 bytes)": the port is open, the protocol is not the one asked.
std::string not_the_protocol(std::string_view protocol_name,
                             std::span<const std::string_view> answers);

// "an answer of 42 bytes", or "3 answers, 420 bytes in all".
std::string answer_size(std::span<const std::string_view> answers);

// Device text for a summary: `"..."` around escaped_text(text, limit).
std::string quoted(std::string_view text, std::size_t limit = 60);

}  // namespace breakwater::probe::udp::detail
