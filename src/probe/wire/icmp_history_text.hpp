// How much of each target's ICMP error limit recent scans left, as text: how `breakwater
// probe` hands it from one run to the next (the target's bucket takes seconds to refill).
#pragma once

#include "probe/detail/icmp_limit_model.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::probe {

// One line per target: "ADDRESS TOKENS NANOSECONDS", the time on the steady clock
// (comparable between processes of one boot). Malformed lines are skipped.
std::optional<icmp_bucket> parse_icmp_history(std::string_view text,
                                              const boost::asio::ip::address& target);

// `text` with `target`'s line replaced by `bucket` (none: removed), and lines older than
// `cutoff` gone.
std::string update_icmp_history(std::string_view text, const boost::asio::ip::address& target,
                                std::optional<icmp_bucket> bucket, time_point cutoff);

}  // namespace breakwater::probe
