// The old simple services (echo, quote of the day, chargen), TFTP, and the generic probe
// for every port without a protocol of its own.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace breakwater::probe::udp::detail {
namespace {

constexpr std::string_view echo_line = "breakwater echo test\r\n";

// Text as the old services send it: no control characters but line ends and tabs (bytes
// from 0x80 up pass: quotes may be UTF-8).
bool is_text(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 || c == '\n' || c == '\r' || c == '\t';
  });
}

}  // namespace

// --- Echo (RFC 862): the datagram comes back as it was sent.

std::vector<std::string> echo_requests() { return {std::string(echo_line)}; }

reading echo_read(std::span<const std::string_view> answers) {
  if (std::find(answers.begin(), answers.end(), echo_line) != answers.end())
    return {"the datagram came back unchanged: an echo service", "echo-reflector"};
  return {not_the_protocol("the datagram sent", answers), {}};
}

// --- Quote of the Day (RFC 865): any datagram draws a short text.

std::vector<std::string> qotd_requests() { return {"\n"}; }

reading qotd_read(std::span<const std::string_view> answers) {
  for (auto a : answers) {
    if (is_text(a)) return {"a quote: " + quoted(a, 80), "qotd-reflector"};
  }
  return {not_the_protocol("text", answers), {}};
}

// --- Character Generator (RFC 864): any datagram draws a datagram of characters (0 to 512
// in the RFC; xinetd sends 1024).

std::vector<std::string> chargen_requests() { return {"\n"}; }

reading chargen_read(std::span<const std::string_view> answers) {
  for (auto a : answers) {
    if (!is_text(a)) continue;
    return {fmt::format("{} bytes of characters for a 1-byte request: {}", total_bytes(answers),
                        quoted(a, 40)),
            "chargen-reflector"};
  }
  return {not_the_protocol("text", answers), {}};
}

// --- TFTP (RFC 1350): a read request for a file no server has. A server answers from a port
// of its own (4: the new transfer id), not from 69.

namespace {

constexpr std::string_view tftp_absent_file = "breakwater-probe-absent";

std::string_view tftp_error_name(std::uint16_t code) {
  static constexpr std::array<std::string_view, 9> names{
      "not defined",         "file not found",    "access violation",
      "disk full",           "illegal operation", "unknown transfer id",
      "file already exists", "no such user",      "option negotiation refused"};  // RFC 2347
  return code < names.size() ? names[code] : std::string_view("unknown error");
}

std::optional<std::string> tftp_summary(std::string_view answer) {
  byte_reader r(answer);
  auto opcode = r.u16();
  if (opcode == 6) return "TFTP option acknowledgement";  // RFC 2347
  auto number = r.u16();
  if (!r.ok()) return std::nullopt;
  if (opcode == 3)  // DATA: block, up to 512 bytes
    return fmt::format("TFTP sent data (block {}, {} bytes)", number, r.left());
  if (opcode != 5) return std::nullopt;
  // ERROR: code, message, NUL
  std::string_view message = r.rest().substr(0, r.rest().find('\0'));
  std::string s = fmt::format("TFTP error {} ({})", number, tftp_error_name(number));
  if (!message.empty()) s += ": " + quoted(message, 60);
  return s;
}

}  // namespace

std::vector<std::string> tftp_requests() {
  std::string r;
  put_u16(r, 1);  // RRQ
  r += tftp_absent_file;
  r += '\0';
  r += "octet";
  r += '\0';
  return {r};
}

reading tftp_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "TFTP", "tftp-exposed", tftp_summary);
}

// --- Generic: a line end, which text services answer, and nothing to read in the answer.

std::vector<std::string> generic_requests() { return {"\r\n"}; }

reading generic_read(std::span<const std::string_view> answers) {
  return {answer_size(answers), {}};
}

}  // namespace breakwater::probe::udp::detail
