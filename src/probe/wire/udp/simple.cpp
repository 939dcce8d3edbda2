// STUB: to be written.
#include "probe/wire/udp/families.hpp"

namespace breakwater::probe::udp::detail {

std::vector<std::string> echo_requests() { return {"\n"}; }
reading echo_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> qotd_requests() { return {"\n"}; }
reading qotd_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> chargen_requests() { return {"\n"}; }
reading chargen_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> tftp_requests() { return {"\n"}; }
reading tftp_read(std::span<const std::string_view>) { return {}; }

std::vector<std::string> generic_requests() { return {"\n"}; }
reading generic_read(std::span<const std::string_view>) { return {}; }

}  // namespace breakwater::probe::udp::detail
