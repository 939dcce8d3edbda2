// JSON text for people and tools alike: like boost::json::serialize, but numbers with a
// fraction print in plain decimal ("rtt_ms":51.54), never as "5.154E1".
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace breakwater::common {

std::string json_text(const boost::json::value& v);

}  // namespace breakwater::common
