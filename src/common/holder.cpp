#include "common/holder.hpp"

#include "common/cidr.hpp"

namespace breakwater::common {

std::string holder_of(std::string_view address, unsigned v6_prefix) {
  auto ip = parse_ip(address);
  if (!ip) return std::string(address);
  if (!ip->v6) return to_string(*ip);
  return to_string(block_of(*ip, v6_prefix));
}

std::string wide_holder_of(std::string_view address) {
  auto ip = parse_ip(address);
  if (!ip || !ip->v6) return {};
  return to_string(block_of(*ip, wide_v6_prefix));
}

}  // namespace breakwater::common
