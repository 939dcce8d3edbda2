// NAT-PMP (RFC 6886) on UDP 5351 of the default gateway: the external address request
// (opcode 0) and its answer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace breakwater::probe {

inline constexpr std::uint16_t nat_pmp_port = 5351;

// Version 0, opcode 0: "what is your external address?"
std::array<std::uint8_t, 2> make_nat_pmp_address_request() noexcept;

struct nat_pmp_address_answer {
  std::uint16_t result = 0;  // 0 success; 3 network failure (e.g. no public address)...
  std::uint32_t epoch = 0;   // seconds since the gateway's mappings were reset
  std::array<std::uint8_t, 4> address{};  // meaningful only when result is 0
};

// Empty unless the datagram is a version 0 answer to opcode 0 (opcode 128). A success needs
// all 12 bytes; an error answer may stop after the epoch (8 bytes).
std::optional<nat_pmp_address_answer> parse_nat_pmp_address_answer(
    std::span<const std::uint8_t> datagram) noexcept;

// The result code in words: "network failure (the gateway has no usable external address)".
std::string_view nat_pmp_result_text(std::uint16_t result) noexcept;

}  // namespace breakwater::probe
