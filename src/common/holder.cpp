#include "common/holder.hpp"

#include "common/cidr.hpp"

namespace breakwater::common {
namespace {

std::string holder_of(const ip_bytes& ip, unsigned v6_prefix) {
  return ip.v6 ? to_string(block_of(ip, v6_prefix)) : to_string(ip);
}

std::string wide_holder_of(const ip_bytes& ip) {
  return ip.v6 ? to_string(block_of(ip, wide_v6_prefix)) : std::string();
}

}  // namespace

std::string holder_of(std::string_view address, unsigned v6_prefix) {
  auto ip = parse_ip(without_zone(address));
  return ip ? holder_of(*ip, v6_prefix) : std::string(address);
}

std::string wide_holder_of(std::string_view address) {
  auto ip = parse_ip(without_zone(address));
  return ip ? wide_holder_of(*ip) : std::string();
}

std::optional<holders> holders_of(std::string_view address) {
  auto ip = parse_ip(without_zone(address));
  if (!ip) return std::nullopt;
  return holders{holder_of(*ip, holder_v6_prefix), wide_holder_of(*ip)};
}

}  // namespace breakwater::common
