// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> dns_requests() { return {"\n"}; }
reading dns_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> mdns_requests() { return {"\n"}; }
reading mdns_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> netbios_requests() { return {"\n"}; }
reading netbios_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
