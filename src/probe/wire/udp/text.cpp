// Answers for people: device bytes made safe to show, and the words every reader shares.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::probe::udp {
namespace {

// One byte as it is shown: itself, a two-character escape or \xNN. Never split when cutting.
std::string_view shown(unsigned char c, char (&buf)[4]) {
  switch (c) {
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: break;
  }
  if (c >= 0x20 && c < 0x7f) {
    buf[0] = static_cast<char>(c);
    return {buf, 1};
  }
  static constexpr char hex[] = "0123456789abcdef";
  buf[0] = '\\';
  buf[1] = 'x';
  buf[2] = hex[c >> 4];
  buf[3] = hex[c & 0xf];
  return {buf, 4};
}

}  // namespace

std::string escaped_text(std::string_view bytes, std::size_t limit) {
  std::string out;
  out.reserve(std::min(bytes.size(), limit) + 3);
  for (char c : bytes) {
    char buf[4];
    std::string_view piece = shown(static_cast<unsigned char>(c), buf);
    if (out.size() + piece.size() > limit) {
      out += "...";
      break;
    }
    out += piece;
  }
  return out;
}

namespace detail {

std::string not_the_protocol(std::string_view protocol_name,
                             std::span<const std::string_view> answers) {
  return fmt::format("an answer that is not {} ({} bytes)", protocol_name,
                     answers.empty() ? 0 : answers.front().size());
}

std::string answer_size(std::span<const std::string_view> answers) {
  if (answers.size() == 1) return fmt::format("an answer of {} bytes", answers.front().size());
  return fmt::format("{} answers, {} bytes in all", answers.size(), total_bytes(answers));
}

std::string quoted(std::string_view text, std::size_t limit) {
  return fmt::format("\"{}\"", escaped_text(text, limit));
}

}  // namespace detail
}  // namespace breakwater::probe::udp
