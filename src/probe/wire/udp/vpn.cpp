// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> openvpn_requests() { return {"\n"}; }
reading openvpn_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> ike_requests() { return {"\n"}; }
reading ike_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> ike_natt_requests() { return {"\n"}; }
reading ike_natt_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> quic_requests() { return {"\n"}; }
reading quic_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> wireguard_requests() { return {"\n"}; }
reading wireguard_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
