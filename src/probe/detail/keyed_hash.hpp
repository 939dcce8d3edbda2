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

// splitmix64's finaliser: every input bit flips about half the output bits. Not a keyed hash:
// under a secret salt it spreads keys over hash-table buckets that a visitor cannot aim at,
// at a few nanoseconds where SipHash takes about 30.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace breakwater::probe
