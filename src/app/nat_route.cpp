#include "app/nat_route.hpp"

#include "common/read_file.hpp"

#include "common/cidr.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace breakwater::app {
namespace {

constexpr unsigned rtf_up = 0x1, rtf_gateway = 0x2, rtf_reject = 0x200;

std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

std::optional<std::uint32_t> hex32(std::string_view s) {
  std::uint32_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// 32 hex digits, in network order, as address bytes.
std::optional<common::ip_bytes> hex_v6(std::string_view s) {
  if (s.size() != 32) return std::nullopt;
  common::ip_bytes ip;
  ip.v6 = true;
  for (std::size_t i = 0; i < 16; ++i) {
    auto r = std::from_chars(s.data() + 2 * i, s.data() + 2 * i + 2, ip.bytes[i], 16);
    if (r.ec != std::errc{}) return std::nullopt;
  }
  return ip;
}

bool is_zero(const common::ip_bytes& ip) {
  for (auto b : ip.bytes) {
    if (b != 0) return false;
  }
  return true;
}

bool better(const std::optional<default_gateway>& best, unsigned metric) {
  return !best || metric < best->metric;
}

std::optional<default_gateway> read_route(const char* file, bool v6) {
  auto text = common::read_file(file);
  if (!text) return std::nullopt;
  return v6 ? parse_ipv6_default_route(*text) : parse_ipv4_default_route(*text);
}

}  // namespace

std::optional<default_gateway> parse_ipv4_default_route(std::string_view text) {
  // Iface Destination Gateway Flags RefCnt Use Metric Mask ...: the addresses are the raw
  // 32-bit words in the kernel's byte order, so copying them as they are gives the bytes.
  std::optional<default_gateway> best;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto f = fields_of(line);
    if (f.size() < 8) continue;
    auto dest = hex32(f[1]), gateway = hex32(f[2]), flags = hex32(f[3]), mask = hex32(f[7]);
    unsigned metric = 0;
    std::from_chars(f[6].data(), f[6].data() + f[6].size(), metric);
    if (!dest || !gateway || !flags || !mask || *dest != 0 || *mask != 0 || *gateway == 0) continue;
    if ((*flags & (rtf_up | rtf_gateway)) != (rtf_up | rtf_gateway)) continue;
    if (!better(best, metric)) continue;
    common::ip_bytes ip;
    std::memcpy(ip.bytes.data(), &*gateway, 4);
    best = default_gateway{common::to_string(ip), f[0], metric};
  }
  return best;
}

std::optional<default_gateway> parse_ipv6_default_route(std::string_view text) {
  // dest plen src plen next_hop metric refcnt use flags iface
  std::optional<default_gateway> best;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto f = fields_of(line);
    if (f.size() < 10 || f[1] != "00") continue;
    auto dest = hex_v6(f[0]), hop = hex_v6(f[4]);
    auto metric = hex32(f[5]), flags = hex32(f[8]);
    if (!dest || !hop || !metric || !flags) continue;
    if (!is_zero(*dest) || is_zero(*hop)) continue;
    if ((*flags & (rtf_up | rtf_gateway)) != (rtf_up | rtf_gateway) || (*flags & rtf_reject))
      continue;
    if (!better(best, *metric)) continue;
    best = default_gateway{common::to_string(*hop), f[9], *metric};
  }
  return best;
}

std::optional<default_gateway> ipv4_default_gateway() {
  return read_route("/proc/net/route", false);
}

std::optional<default_gateway> ipv6_default_gateway() {
  return read_route("/proc/net/ipv6_route", true);
}

}  // namespace breakwater::app
