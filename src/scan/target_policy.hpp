// Which addresses the scan service may probe at all: never unspecified, multicast or
// broadcast; loopback, and this machine's own addresses, only when the operator allows it.
#pragma once

#include "scan/service.hpp"

#include <optional>
#include <string_view>

namespace breakwater::scan {

// A refusal (403 "target_not_allowed"; 400 for text that is no address; 503 "unavailable" when
// this machine's own addresses cannot be read) or nothing.
std::optional<refusal> check_target(std::string_view address, bool allow_loopback);

}  // namespace breakwater::scan
