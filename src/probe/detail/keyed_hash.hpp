// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash whose outputs cannot be predicted
// without the key, even by someone who has seen many of them. The raw prober derives its
// sequence numbers from it, so that a visitor who watches the SYNs of their own scan learns
// nothing about the numbers another visitor's probes carry, and cannot forge their answers.
#pragma once

#include <boost/system/result.hpp>

#include <array>
#include <cstdint>
#include <span>

namespace breakwater::probe {

using siphash_key = std::array<std::uint8_t, 16>;

// The 64-bit SipHash-2-4 of `message` (the reference's byte order: key and result little-endian).
std::uint64_t siphash24(const siphash_key& key, std::span<const std::uint8_t> message) noexcept;

// Fills `out` from the kernel's CSPRNG (getrandom): for keys, and for the numbers and cookies
// that a probe's answer must carry back. Fails only if the kernel has none to give.
boost::system::error_code fill_random(std::span<std::uint8_t> out) noexcept;

boost::system::result<siphash_key> random_siphash_key() noexcept;

}  // namespace breakwater::probe
