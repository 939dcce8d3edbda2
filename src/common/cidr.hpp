// Address blocks ("198.18.0.0/15", "2001:2::/48", a bare address) and lists of them: the
// configured trusted proxies.
#pragma once

#include <boost/system/result.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::common {

// An address in binary: IPv4 as 4 bytes, IPv6 as 16. An IPv4-mapped IPv6 address is IPv4.
struct ip_bytes {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;
  std::size_t size() const noexcept { return v6 ? 16 : 4; }
};

std::optional<ip_bytes> parse_ip(std::string_view text) noexcept;
// The address without its zone: "fe80::1%eth0" is "fe80::1" (a link-local peer carries the
// interface it came in on; the address is the same on every link).
std::string_view without_zone(std::string_view address) noexcept;
std::string to_string(const ip_bytes& ip);

// Where an address lives, for telling a visitor what a result from it means.
enum class address_scope {
  global,       // on the internet
  shared,       // 100.64.0.0/10, carrier-grade NAT's shared space (RFC 6598)
  private_use,  // 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (RFC 4193)
  link_local,   // 169.254/16, fe80::/10
  loopback,     // 127/8, ::1
};

address_scope scope_of(const ip_bytes& ip) noexcept;
std::string_view to_string(address_scope s) noexcept;  // "global", "shared", "private"...

struct cidr {
  ip_bytes base;  // host bits cleared
  unsigned prefix = 0;
  bool contains(const ip_bytes& ip) const noexcept;
};

// The block of `prefix` bits (at most the address's length) that holds `ip`.
cidr block_of(const ip_bytes& ip, unsigned prefix) noexcept;

// "198.18.0.0/15", "2001:2::/48" or a bare address (a /32 or /128). The error is a sentence.
boost::system::result<cidr, std::string> parse_cidr(std::string_view text);
std::string to_string(const cidr& c);

class cidr_list;

// Each item as parse_cidr reads it, refusing one with bits set past its prefix (a typo
// for one address or for a block: the sentence offers both).
boost::system::result<cidr_list, std::string> parse_cidr_list(
    const std::vector<std::string>& items);

class cidr_list {
 public:
  void add(const cidr& c) { items_.push_back(c); }
  bool contains(std::string_view address) const noexcept;
  bool contains(const ip_bytes& ip) const noexcept;
  bool empty() const noexcept { return items_.empty(); }
  const std::vector<cidr>& items() const noexcept { return items_; }
  friend bool operator==(const cidr_list& a, const cidr_list& b) noexcept {
    if (a.items_.size() != b.items_.size()) return false;
    for (std::size_t i = 0; i < a.items_.size(); ++i) {
      if (to_string(a.items_[i]) != to_string(b.items_[i])) return false;
    }
    return true;
  }

 private:
  std::vector<cidr> items_;
};

}  // namespace breakwater::common
