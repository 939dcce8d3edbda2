// A finished scan's verdicts, packed: what the service keeps for `keep_results_s` once nothing
// is added any more. Most verdicts (a TCP port's state, reason, tries, RTT and rate-limit
// mark) take 8 bytes instead of a probe::port_result's 240; an ICMP error the target sent
// itself adds its type and code (8 bytes more, in a side table); the few that carry more (a
// router's ICMP error, a UDP answer) or that do not fit the packing are kept whole, apart.
// Unpacking gives back exactly the verdict that was packed. Immutable once made: readers share it
// without the lock. Asio-free.
#pragma once

#include "probe/verdict.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace breakwater::scan {

class compact_verdicts {
 public:
  // The first `n` of `all`, in the same order.
  compact_verdicts(const std::vector<probe::port_result>& all, std::size_t n);

  std::size_t size() const noexcept { return packed_.size(); }
  probe::port_result operator[](std::size_t index) const;
  // The verdicts kept whole (for the memory count).
  const std::vector<std::pair<std::uint32_t, probe::port_result>>& apart() const noexcept {
    return apart_;
  }
  std::size_t packed_capacity_bytes() const noexcept {
    return packed_.capacity() * sizeof(slot) + icmp_.capacity() * sizeof(icmp_.front());
  }

 private:
  struct slot {
    std::uint16_t port = 0;
    // state (2 bits), reason (3), rate-limit recheck (2), transport (1)
    std::uint8_t bits = 0;
    std::uint8_t tries = 0;    // kept_apart: the verdict is in apart_
    std::uint32_t rtt_ns = 0;  // no_rtt: none
  };
  static_assert(sizeof(slot) == 8);
  static constexpr std::uint8_t kept_apart = 0xff;
  // In `tries`: the verdict's ICMP type and code are in icmp_ (tries is the low bits).
  static constexpr std::uint8_t with_icmp = 0x80;
  static constexpr std::uint32_t no_rtt = 0xffffffff;

  // False when `p` does not fit a slot (and an ICMP type and code beside it).
  static bool pack(const probe::port_result& p, slot& out);

  std::vector<slot> packed_;
  std::vector<std::pair<std::uint32_t, probe::port_result>> apart_;  // by index, ascending
  // ICMP type << 8 | code of the slots marked with_icmp, by index, ascending.
  std::vector<std::pair<std::uint32_t, std::uint16_t>> icmp_;
};

}  // namespace breakwater::scan
