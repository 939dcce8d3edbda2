// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> a2s_requests() { return {"\n"}; }
reading a2s_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> bedrock_requests() { return {"\n"}; }
reading bedrock_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> dht_requests() { return {"\n"}; }
reading dht_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
