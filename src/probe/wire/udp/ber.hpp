// A small BER encoder and decoder (ITU-T X.690), enough for SNMP and CLDAP: one-byte tags,
// definite lengths, INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER, constructed types. The
// decoder walks one level at a time (no recursion), and every length is checked against the
// bytes there are. Internal to the UDP wire code and its tests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace breakwater::probe::udp::detail::ber {

// X.690 8.1.2: class in the top two bits, bit 6 set for constructed encodings.
inline constexpr std::uint8_t boolean = 0x01, integer = 0x02, octet_string = 0x04, null = 0x05,
                              oid = 0x06, enumerated = 0x0a, sequence = 0x30, set = 0x31;
constexpr std::uint8_t application(unsigned n, bool constructed) noexcept {
  return static_cast<std::uint8_t>(0x40 | (constructed ? 0x20 : 0) | (n & 0x1f));
}
constexpr std::uint8_t context(unsigned n, bool constructed) noexcept {
  return static_cast<std::uint8_t>(0x80 | (constructed ? 0x20 : 0) | (n & 0x1f));
}

// Encoding: whole elements as bytes, nested by concatenating.
std::string tlv(std::uint8_t tag, std::string_view content);
std::string encode_integer(std::int64_t value);
std::string encode_octets(std::string_view bytes);
// Dotted text such as "1.3.6.1.2.1.1.1.0"; the caller passes a well-formed constant.
std::string encode_oid(std::string_view dotted);

struct element {
  std::uint8_t tag = 0;
  std::string_view content;
};

// Reads the elements of one level in order. A malformed element (high-tag-number form,
// indefinite or over-long length, a length past the end) stops the reader for good.
class reader {
 public:
  explicit reader(std::string_view bytes) noexcept : rest_(bytes) {}
  reader(std::string&&) = delete;  // it views the bytes: a temporary would be gone

  // The next element, or nothing at the end or on malformed bytes (then !ok()).
  std::optional<element> next() noexcept;
  // The next element if it has `tag`; otherwise nothing and !ok().
  std::optional<element> expect(std::uint8_t tag) noexcept;

  bool ok() const noexcept { return ok_; }
  bool at_end() const noexcept { return rest_.empty(); }
  std::string_view rest() const noexcept { return rest_; }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

// Two's complement, 1 to 8 bytes.
std::optional<std::int64_t> decode_integer(std::string_view content) noexcept;
// Dotted text; nothing for an empty or malformed encoding or one with more than 64 arcs.
std::optional<std::string> decode_oid(std::string_view content);

}  // namespace breakwater::probe::udp::detail::ber
