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

std::vector<std::string_view> split(std::string_view text, char sep, std::size_t most) {
  std::vector<std::string_view> out;
  for (std::size_t at = text.find(sep); at != std::string_view::npos && out.size() + 1 < most;
       at = text.find(sep)) {
    out.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  out.push_back(text);
  return out;
}

std::size_t total_bytes(std::span<const std::string_view> answers) noexcept {
  std::size_t n = 0;
  for (auto a : answers) n += a.size();
  return n;
}

std::string not_the_protocol(std::string_view protocol_name,
                             std::span<const std::string_view> answers) {
  if (answers.size() == 1)
    return fmt::format("an answer that is not {} ({} bytes)", protocol_name, answers[0].size());
  return fmt::format("{} answers that are not {} ({} bytes in all)", answers.size(), protocol_name,
                     total_bytes(answers));
}

std::string answer_size(std::span<const std::string_view> answers) {
  if (answers.size() == 1) return fmt::format("an answer of {} bytes", answers[0].size());
  return fmt::format("{} answers, {} bytes in all", answers.size(), total_bytes(answers));
}

std::string quoted(std::string_view text, std::size_t limit) {
  return fmt::format("\"{}\"", escaped_text(text, limit));
}

std::string count_text(std::size_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace detail
}  // namespace breakwater::probe::udp
