// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> nat_pmp_requests() { return {"\n"}; }
reading nat_pmp_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> stun_requests() { return {"\n"}; }
reading stun_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
