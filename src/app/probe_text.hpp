// The text report of `breakwater probe`: verdicts grouped by state, stealth ports as ranges.
#pragma once

#include "probe/verdict.hpp"

#include <string>

namespace breakwater::app {

std::string render_scan_text(const probe::scan_result& r);

// One progress line, for a terminal: "  412/1056 ports decided: 2 open, 40 closed".
std::string render_progress(std::size_t decided, std::size_t total, std::size_t open,
                            std::size_t closed);

}  // namespace breakwater::app
