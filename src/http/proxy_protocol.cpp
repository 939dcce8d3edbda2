#include "http/proxy_protocol.hpp"

#include "common/cidr.hpp"

#include <charconv>
#include <cstring>
#include <vector>

namespace breakwater::http {
namespace {

constexpr std::string_view v1_sig = "PROXY ";
constexpr std::string_view v2_sig{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr std::size_t v1_max = 107;

bool starts_like(std::string_view bytes, std::string_view sig) {
  std::size_t n = std::min(bytes.size(), sig.size());
  return bytes.substr(0, n) == sig.substr(0, n);
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ' ') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool parse_port(std::string_view text, std::uint16_t& out) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v > 65535) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

proxy_parse parse_v1(std::string_view bytes) {
  std::size_t eol = bytes.find("\r\n");
  if (eol == std::string_view::npos) {
    return {bytes.size() >= v1_max ? proxy_status::invalid : proxy_status::incomplete, {}};
  }
  if (eol + 2 > v1_max) return {proxy_status::invalid, {}};
  proxy_parse out{proxy_status::ok, {}};
  out.header.length = eol + 2;
  auto w = words(bytes.substr(0, eol));
  if (w.size() >= 2 && w[1] == "UNKNOWN") return out;  // the rest of the line is ignored
  if (w.size() != 6 || (w[1] != "TCP4" && w[1] != "TCP6")) return {proxy_status::invalid, {}};
  auto src = common::parse_ip(w[2]);
  auto dst = common::parse_ip(w[3]);
  bool six = w[1] == "TCP6";
  // The literal text must be of the family named (a mapped IPv4 in TCP6 is fine).
  bool src_ok = src && (six ? w[2].find(':') != std::string_view::npos
                            : w[2].find(':') == std::string_view::npos);
  std::uint16_t sport = 0, dport = 0;
  if (!src_ok || !dst || !parse_port(w[4], sport) || !parse_port(w[5], dport)) {
    return {proxy_status::invalid, {}};
  }
  out.header.has_address = true;
  out.header.source = to_string(*src);
  out.header.source_port = sport;
  return out;
}

proxy_parse parse_v2(std::string_view bytes) {
  if (bytes.size() < 16) return {proxy_status::incomplete, {}};
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  unsigned version = byte(12) >> 4, command = byte(12) & 0x0f;
  std::size_t len = (std::size_t{byte(14)} << 8) | byte(15);
  if (version != 2 || command > 1 || 16 + len > proxy_header_max) {
    return {proxy_status::invalid, {}};
  }
  if (bytes.size() < 16 + len) return {proxy_status::incomplete, {}};
  proxy_parse out{proxy_status::ok, {}};
  out.header.length = 16 + len;
  if (command == 0) return out;  // LOCAL: the proxy's own connection (a health check)
  unsigned family = byte(13) >> 4;
  common::ip_bytes ip;
  std::size_t alen = 0;
  if (family == 1) {
    alen = 4;
  } else if (family == 2) {
    alen = 16;
    ip.v6 = true;
  } else {
    return out;  // AF_UNSPEC or AF_UNIX: no address to use
  }
  if (len < alen * 2 + 4) return {proxy_status::invalid, {}};
  std::memcpy(ip.bytes.data(), bytes.data() + 16, alen);
  // Normalise an IPv4-mapped IPv6 source through the text form.
  auto normal = common::parse_ip(to_string(ip));
  if (!normal) return {proxy_status::invalid, {}};
  out.header.has_address = true;
  out.header.source = to_string(*normal);
  std::size_t port_at = 16 + alen * 2;
  out.header.source_port = static_cast<std::uint16_t>((byte(port_at) << 8) | byte(port_at + 1));
  return out;
}

}  // namespace

proxy_parse parse_proxy_header(std::string_view bytes) {
  if (bytes.empty()) return {proxy_status::incomplete, {}};
  if (starts_like(bytes, v1_sig)) {
    if (bytes.size() < v1_sig.size()) return {proxy_status::incomplete, {}};
    return parse_v1(bytes);
  }
  if (starts_like(bytes, v2_sig)) {
    if (bytes.size() < v2_sig.size()) return {proxy_status::incomplete, {}};
    return parse_v2(bytes);
  }
  return {proxy_status::none, {}};
}

}  // namespace breakwater::http
