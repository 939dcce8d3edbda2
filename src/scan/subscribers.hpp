// Event delivery: handing a scan's events to its subscribers in order, a paced one a batch
// per resume(), and opening and closing their streams within the stream limits. Asio-free.
#pragma once

#include "scan/scan_record.hpp"
#include "scan/service.hpp"
#include "scan/service_state.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace breakwater::scan {

// Under the service's lock: hands every subscriber the events it has not seen, a paced one
// no more than its credit.
void deliver(scan_record& r);
void deliver_to(scan_record& r, subscriber& s);

// Under the service's lock: adds a subscriber to `r` that starts after event `after`, or
// refuses it over the per-scan or per-holder stream limit.
boost::system::result<std::uint64_t, refusal> open_stream(
    service_state& st, scan_record& r, std::uint64_t after,
    std::function<void(const scan_event&)> on_event, bool paced);

// The handle that closes subscriber `sub` of scan `id` when destroyed.
std::unique_ptr<subscription> stream_handle(std::weak_ptr<service_state> st, std::string id,
                                            std::uint64_t sub);

}  // namespace breakwater::scan
