// What a UDP answer can reveal, in one table: the stable id the results carry, and the words
// the CLI and the pages show. The one home of this wording.
#pragma once

#include <span>
#include <string_view>

namespace breakwater::probe::udp {

struct finding_info {
  std::string_view id;        // "open-resolver"
  std::string_view headline;  // "Your router answers DNS queries from anyone"
  std::string_view advice;    // "Turn off DNS on its WAN side..."
  bool reflector = false;     // usable to amplify attacks on others
};

std::span<const finding_info> findings() noexcept;

// Null for an unknown id.
const finding_info* find_finding(std::string_view id) noexcept;

}  // namespace breakwater::probe::udp
