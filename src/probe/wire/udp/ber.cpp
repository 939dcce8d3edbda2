#include "probe/wire/udp/ber.hpp"
#include "probe/wire/udp/answer_bytes.hpp"

#include <charconv>
#include <vector>

namespace breakwater::probe::udp::detail::ber {
namespace {

constexpr std::size_t max_length_bytes = 4;  // X.690 8.1.3.5; more is never needed here
constexpr std::size_t max_oid_arcs = 64;

void put_length(std::string& out, std::size_t n) {
  if (n < 0x80) {
    out += static_cast<char>(n);
    return;
  }
  std::string bytes;
  for (; n > 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
  out += static_cast<char>(0x80 | bytes.size());
  out += bytes;
}

void put_base128(std::string& out, std::uint64_t v) {
  std::string bytes(1, static_cast<char>(v & 0x7f));
  for (v >>= 7; v > 0; v >>= 7) bytes.insert(bytes.begin(), static_cast<char>(0x80 | (v & 0x7f)));
  out += bytes;
}

}  // namespace

std::string tlv(std::uint8_t tag, std::string_view content) {
  std::string out(1, static_cast<char>(tag));
  put_length(out, content.size());
  out += content;
  return out;
}

std::string encode_integer(std::int64_t value) {
  // X.690 8.3: the fewest bytes whose top bit still carries the sign.
  std::string bytes;
  auto u = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i) bytes += static_cast<char>((u >> (8 * i)) & 0xff);
  std::size_t start = 0;
  while (start < 7) {
    auto b = static_cast<std::uint8_t>(bytes[start]);
    auto next = static_cast<std::uint8_t>(bytes[start + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xff && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  return tlv(integer, std::string_view(bytes).substr(start));
}

std::string encode_octets(std::string_view bytes) { return tlv(octet_string, bytes); }

std::string encode_oid(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  for (auto part : split(dotted, '.')) {
    std::uint64_t v = 0;
    std::from_chars(part.data(), part.data() + part.size(), v);
    arcs.push_back(v);
  }
  std::string content;
  if (arcs.size() >= 2) {
    put_base128(content, arcs[0] * 40 + arcs[1]);  // X.690 8.19.4
    for (std::size_t i = 2; i < arcs.size(); ++i) put_base128(content, arcs[i]);
  }
  return tlv(oid, content);
}

std::optional<element> reader::next() noexcept {
  if (!ok_ || rest_.empty()) return std::nullopt;
  auto fail = [this]() -> std::optional<element> {
    ok_ = false;
    return std::nullopt;
  };
  auto tag = static_cast<std::uint8_t>(rest_[0]);
  if ((tag & 0x1f) == 0x1f || rest_.size() < 2) return fail();  // high-tag-number form
  auto first = static_cast<std::uint8_t>(rest_[1]);
  std::size_t at = 2, length = first;
  if (first & 0x80) {
    std::size_t count = first & 0x7f;
    // 0x80 is the indefinite form, which SNMP and LDAP forbid (RFC 3417 8, RFC 4511 5.1).
    if (count == 0 || count > max_length_bytes || rest_.size() < at + count) return fail();
    length = 0;
    for (std::size_t i = 0; i < count; ++i) {
      length = length << 8 | static_cast<std::uint8_t>(rest_[at + i]);
    }
    at += count;
  }
  if (length > rest_.size() - at) return fail();
  element e{tag, rest_.substr(at, length)};
  rest_ = rest_.substr(at + length);
  return e;
}

std::optional<element> reader::expect(std::uint8_t tag) noexcept {
  auto e = next();
  if (!e || e->tag != tag) {
    ok_ = false;
    return std::nullopt;
  }
  return e;
}

std::optional<std::int64_t> decode_integer(std::string_view content) noexcept {
  if (content.empty() || content.size() > 8) return std::nullopt;
  // Sign-extend from the first byte, then shift in the rest as unsigned bits.
  std::uint64_t v = static_cast<std::uint8_t>(content[0]) & 0x80 ? ~std::uint64_t{0} : 0;
  for (char c : content) v = v << 8 | static_cast<std::uint8_t>(c);
  return static_cast<std::int64_t>(v);
}

std::optional<std::string> decode_oid(std::string_view content) {
  if (content.empty()) return std::nullopt;
  std::string text;
  std::uint64_t arc = 0;
  std::size_t arcs = 0, digits = 0;
  for (char c : content) {
    auto b = static_cast<std::uint8_t>(c);
    // A leading 0x80 pads an arc (X.690 8.19.2 forbids it); more than 9 groups overflow.
    if ((digits == 0 && b == 0x80) || ++digits > 9) return std::nullopt;
    arc = arc << 7 | (b & 0x7f);
    if (b & 0x80) continue;
    if (++arcs > max_oid_arcs) return std::nullopt;
    if (text.empty()) {
      auto top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      text = std::to_string(top) + "." + std::to_string(arc - 40 * static_cast<unsigned>(top));
    } else {
      text += "." + std::to_string(arc);
    }
    arc = 0;
    digits = 0;
  }
  if (digits != 0) return std::nullopt;  // the last arc never ended
  return text;
}

}  // namespace breakwater::probe::udp::detail::ber
