// How much memory a kept scan holds, for the kept-results budget ([scan] max_kept_mib): an
// honest estimate of its heap blocks (the verdicts' reserved room, the events after them,
// strings past their inline buffer, the port sets, the registry's entries for it), each
// with the allocator's per-block overhead. Asio-free.
#pragma once

#include "probe/verdict.hpp"
#include "scan/scan_record.hpp"

#include <cstddef>

namespace breakwater::scan {

// The whole record as it stands.
std::size_t estimate_kept_bytes(const scan_record& r);

// What one verdict holds on the heap beyond its slot in the list (a UDP answer's strings).
std::size_t verdict_heap_bytes(const probe::port_result& p);

}  // namespace breakwater::scan
