// SIP (RFC 3261): an OPTIONS request, which every SIP element answers with its status and,
// usually, the name of its software.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

#include <optional>

namespace breakwater::probe::udp::detail {
namespace {

// RFC 3261 8.1.1 and 11: the headers a request needs. The Via host is a name that cannot be
// ours; the server answers the packet's source address ("received", 18.2.1), and "rport"
// (RFC 3581) makes it answer the source port rather than 5060.
constexpr std::string_view sip_options =
    "OPTIONS sip:probe@breakwater.invalid SIP/2.0\r\n"
    "Via: SIP/2.0/UDP breakwater.invalid:5060;branch=z9hG4bK-bw-7d1c5e0a;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:probe@breakwater.invalid>\r\n"
    "From: \"breakwater\" <sip:probe@breakwater.invalid>;tag=bw5f3a91\r\n"
    "Call-ID: 6b0f2c4e8d7a@breakwater.invalid\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Contact: <sip:probe@breakwater.invalid:5060>\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

std::string_view next_line(std::string_view& rest) {
  std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// A status line "SIP/2.0 NNN reason" (RFC 3261 7.2), and the software the Server header names,
// or else User-Agent.
std::optional<std::string> sip_summary(std::string_view answer) {
  std::string_view rest = answer;
  std::string_view status = next_line(rest);
  if (!status.starts_with("SIP/2.0 ")) return std::nullopt;
  status.remove_prefix(8);
  auto digit = [&](std::size_t i, char low, char high) {
    return i < status.size() && status[i] >= low && status[i] <= high;
  };
  if (!digit(0, '1', '6') || !digit(1, '0', '9') || !digit(2, '0', '9')) return std::nullopt;
  std::string_view server, user_agent;
  for (int lines = 0; !rest.empty() && lines < 100; ++lines) {
    std::string_view line = next_line(rest);
    if (line.empty()) break;  // end of headers
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = common::trim(line.substr(0, colon));
    std::string_view value = common::trim(line.substr(colon + 1));
    if (common::iequals(name, "Server")) server = value;
    if (common::iequals(name, "User-Agent")) user_agent = value;
  }
  if (server.empty()) server = user_agent;
  std::string s = "SIP " + quoted(status, 40);
  if (!server.empty()) s += ", server " + quoted(server);
  return s;
}

}  // namespace

std::vector<std::string> sip_requests() { return {std::string(sip_options)}; }

reading sip_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "SIP", "sip-exposed", sip_summary);
}

}  // namespace breakwater::probe::udp::detail
