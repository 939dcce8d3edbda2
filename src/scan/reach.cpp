#include "scan/reach.hpp"

namespace breakwater::scan {

std::string_view to_string(reach_state s) noexcept {
  switch (s) {
    case reach_state::sending: return "sending";
    case reach_state::sent: return "sent";
    case reach_state::confirmed: return "confirmed";
    case reach_state::expired: return "expired";
  }
  return "expired";
}

}  // namespace breakwater::scan
