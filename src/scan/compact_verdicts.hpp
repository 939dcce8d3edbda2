// A finished scan's verdicts, packed: what the service keeps for `keep_results_s` once nothing
// is added any more. Most verdicts (a TCP port's state, reason, tries, RTT and rate-limit
// mark) take 8 bytes instead of a probe::port_result's 240; the few that carry more (ICMP
// details, a UDP answer) or that do not fit the packing are kept whole, apart. Unpacking
// gives back exactly the verdict that was packed. Immutable once made: readers share it
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
  std::size_t packed_capacity_bytes() const noexcept { return packed_.capacity() * sizeof(slot); }

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
  static constexpr std::uint32_t no_rtt = 0xffffffff;

  static bool pack(const probe::port_result& p, slot& out);

  std::vector<slot> packed_;
  std::vector<std::pair<std::uint32_t, probe::port_result>> apart_;  // by index, ascending
};

}  // namespace breakwater::scan
