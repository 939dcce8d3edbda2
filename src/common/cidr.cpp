#include "common/cidr.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace breakwater::common {

std::optional<ip_bytes> parse_ip(std::string_view text) noexcept {
  // inet_pton wants a terminated string; longer text is no address anyway.
  char buf[INET6_ADDRSTRLEN + 1] = {};
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  ip_bytes ip;
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  ip.v6 = true;
  static constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(mapped.begin(), mapped.end(), ip.bytes.begin())) {
    std::memmove(ip.bytes.data(), ip.bytes.data() + 12, 4);
    std::fill(ip.bytes.begin() + 4, ip.bytes.end(), std::uint8_t{0});
    ip.v6 = false;
  }
  return ip;
}

std::string_view without_zone(std::string_view address) noexcept {
  return address.substr(0, address.find('%'));
}

std::string to_string(const ip_bytes& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), buf, sizeof buf);
  return buf;
}

bool cidr::contains(const ip_bytes& ip) const noexcept {
  if (ip.v6 != base.v6) return false;
  unsigned full = prefix / 8, rest = prefix % 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + full, ip.bytes.begin())) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == base.bytes[full];
}

boost::system::result<cidr, std::string> parse_cidr(std::string_view text) {
  std::size_t slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) {
    return fmt::format(
        "\u201c{}\u201d is not an address block: write it as 198.18.0.0/15, "
        "2001:2::/48 or a single address",
        text);
  }
  unsigned max = ip->v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || prefix > max) {
      return fmt::format("\u201c{}\u201d: the prefix length after '/' must be 0 to {}", text, max);
    }
  }
  return block_of(*ip, prefix);
}

cidr block_of(const ip_bytes& ip, unsigned prefix) noexcept {
  const unsigned max = ip.v6 ? 128 : 32;
  cidr c{ip, std::min(prefix, max)};
  for (unsigned bit = c.prefix; bit < max; ++bit) {
    c.base.bytes[bit / 8] =
        static_cast<std::uint8_t>(c.base.bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  }
  return c;
}

std::string to_string(const cidr& c) { return fmt::format("{}/{}", to_string(c.base), c.prefix); }

boost::system::result<cidr_list, std::string> parse_cidr_list(
    const std::vector<std::string>& items) {
  cidr_list out;
  for (const std::string& text : items) {
    auto block = parse_cidr(text);
    if (!block) return block.error();
    auto written = parse_ip(std::string_view(text).substr(0, text.find('/')));
    if (written && written->bytes != block->base.bytes) {
      return fmt::format(
          "\u201c{}\u201d has bits set past its prefix: write {} for that one address, or {} "
          "for the block",
          text, to_string(*written), to_string(*block));
    }
    out.add(*block);
  }
  return out;
}

bool cidr_list::contains(const ip_bytes& ip) const noexcept {
  return std::any_of(items_.begin(), items_.end(), [&](const cidr& c) { return c.contains(ip); });
}

bool cidr_list::contains(std::string_view address) const noexcept {
  if (items_.empty()) return false;
  auto ip = parse_ip(address);
  return ip && contains(*ip);
}

address_scope scope_of(const ip_bytes& ip) noexcept {
  const auto& b = ip.bytes;
  if (!ip.v6) {
    if (b[0] == 127) return address_scope::loopback;
    if (b[0] == 100 && (b[1] & 0xc0) == 64) return address_scope::shared;
    if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
      return address_scope::private_use;
    if (b[0] == 169 && b[1] == 254) return address_scope::link_local;
    return address_scope::global;
  }
  static constexpr std::array<std::uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (b == one) return address_scope::loopback;
  if ((b[0] & 0xfe) == 0xfc) return address_scope::private_use;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return address_scope::link_local;
  return address_scope::global;
}

std::string_view to_string(address_scope s) noexcept {
  switch (s) {
    case address_scope::global: return "global";
    case address_scope::shared: return "shared";
    case address_scope::private_use: return "private";
    case address_scope::link_local: return "link-local";
    case address_scope::loopback: return "loopback";
  }
  return "global";
}

}  // namespace breakwater::common
