// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> ssdp_requests() { return {"\n"}; }
reading ssdp_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> wsd_requests() { return {"\n"}; }
reading wsd_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> ubiquiti_requests() { return {"\n"}; }
reading ubiquiti_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> coap_requests() { return {"\n"}; }
reading coap_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
