// Who a request comes from, for the scan service: the connection's client address (after
// the configured trusted proxies) and the kernel's RTT measurement of that connection.
#pragma once

#include "scan/service.hpp"
#include "web/http_types.hpp"

namespace breakwater::web {

// The address to probe for this request. Never taken from anything the client sends
// unless the connection comes from a configured trusted proxy.
scan::visitor visitor_of(const request& req);

}  // namespace breakwater::web
