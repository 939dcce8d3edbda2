// Bytes of packets the tests forge (answers a third party might send): big-endian fields and
// the Internet checksum (RFC 1071).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace breakwater::probe::testing {

using packet = std::vector<std::uint8_t>;

inline void put16(packet& p, std::size_t at, std::uint16_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}

inline void put32(packet& p, std::size_t at, std::uint32_t v) {
  put16(p, at, static_cast<std::uint16_t>(v >> 16));
  put16(p, at + 2, static_cast<std::uint16_t>(v));
}

// The ones' complement of the ones' complement sum of `p`'s 16-bit words, started from `acc`
// (a pseudo-header's sum, for TCP and UDP).
inline std::uint16_t checksum(const packet& p, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < p.size(); i += 2)
    acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

// A 20-byte TCP header (no options), its checksum left zero.
inline packet tcp_segment(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq,
                          std::uint32_t ack, std::uint8_t flags, std::uint16_t window = 0) {
  packet t(20, 0);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  put16(t, 14, window);
  return t;
}

}  // namespace breakwater::probe::testing
