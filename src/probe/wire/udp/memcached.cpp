// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> memcached_requests() { return {"\n"}; }
reading memcached_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
