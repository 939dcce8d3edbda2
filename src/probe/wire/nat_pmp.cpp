#include "probe/wire/nat_pmp.hpp"

namespace breakwater::probe {

std::array<std::uint8_t, 2> make_nat_pmp_address_request() noexcept { return {0, 0}; }

std::optional<nat_pmp_address_answer> parse_nat_pmp_address_answer(
    std::span<const std::uint8_t> d) noexcept {
  if (d.size() < 8 || d[0] != 0 || d[1] != 128) return std::nullopt;
  nat_pmp_address_answer a;
  a.result = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
  a.epoch = static_cast<std::uint32_t>(d[4]) << 24 | static_cast<std::uint32_t>(d[5]) << 16 |
            static_cast<std::uint32_t>(d[6]) << 8 | d[7];
  if (a.result == 0 && d.size() < 12) return std::nullopt;
  if (a.result == 0) a.address = {d[8], d[9], d[10], d[11]};
  return a;
}

std::string_view nat_pmp_result_text(std::uint16_t result) noexcept {
  switch (result) {
    case 0: return "success";
    case 1: return "unsupported version";
    case 2: return "not authorized (NAT-PMP is turned off for this client)";
    case 3: return "network failure (the gateway has no usable external address)";
    case 4: return "out of resources";
    case 5: return "unsupported opcode";
    default: return "an unknown result code";
  }
}

}  // namespace breakwater::probe
