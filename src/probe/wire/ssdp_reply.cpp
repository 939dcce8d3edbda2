#include "probe/wire/ssdp_reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace breakwater::probe {
namespace {

constexpr std::size_t max_headers = 64;
constexpr std::size_t max_field = 512;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string clean(std::string_view s) {
  std::string out(s.substr(0, max_field));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

// Next line without its CR LF (or LF); advances `rest`.
std::string_view next_line(std::string_view& rest) {
  std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::optional<ssdp_reply> parse_ssdp_reply(std::string_view datagram) {
  std::string_view rest = datagram;
  std::string_view status = next_line(rest);
  if (!status.starts_with("HTTP/1.")) return std::nullopt;
  ssdp_reply reply;
  reply.status_line = clean(status);
  while (!rest.empty()) {
    std::string_view line = next_line(rest);
    if (line.empty()) break;  // end of headers
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;  // not a header: skip it
    std::string name = clean(trim(line.substr(0, colon)));
    if (name.empty()) continue;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    reply.headers.emplace_back(std::move(name), clean(trim(line.substr(colon + 1))));
    if (reply.headers.size() == max_headers) break;
  }
  return reply;
}

std::string make_msearch(std::string_view host, unsigned port) {
  return fmt::format(
      "M-SEARCH * HTTP/1.1\r\nHOST: {}:{}\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
      "ST: ssdp:all\r\nUSER-AGENT: breakwater/0.1 UPnP/1.1 exposure-check\r\n\r\n",
      host, port);
}

}  // namespace breakwater::probe
