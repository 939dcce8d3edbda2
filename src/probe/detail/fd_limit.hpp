// Raises the soft open-files limit to the hard limit, so that many probes can be out at once.
#pragma once

#include <cstddef>

namespace breakwater::probe {

// Returns the soft limit in force afterwards.
std::size_t raise_fd_limit() noexcept;

}  // namespace breakwater::probe
