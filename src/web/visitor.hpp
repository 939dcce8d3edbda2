// Who a request comes from, for the scan service: the connection's client address (after
// the configured trusted proxies) and the kernel's RTT measurement of that connection.
#pragma once

#include "scan/service.hpp"
#include "web/forwarded.hpp"
#include "web/http_types.hpp"

namespace breakwater::web {

// The address to probe for this request. Never taken from anything the client sends
// unless the connection comes from a configured trusted proxy: then the right-most hop of
// Forwarded (or, without it, X-Forwarded-For) that is not itself a trusted proxy.
scan::visitor visitor_of(const request& req);

// The rule itself, for tests: `peer` is the connection's address, `hops` the chain a proxy
// reported (client first).
std::string resolve_client(std::string_view peer, const forwarded_hops& hops,
                           const cidr_list* trusted);

}  // namespace breakwater::web
