// Who a request comes from, for the scan service: the resolved client address
// (client_address.hpp) and the kernel's RTT measurement of that connection.
#pragma once

#include "scan/service.hpp"
#include "site/http_names.hpp"

#include <optional>

namespace breakwater::site {

// The party this request's scans probe; nullopt when the client is not known (a trusted
// proxy did not say who it is): scan paths then answer 403 unknown_client.
std::optional<scan::visitor> visitor_of(const request& req);

// The sentence for that 403, addressed to the operator.
inline constexpr std::string_view unknown_client_message =
    "This server cannot tell which address your request came from: it arrived through a "
    "trusted proxy that did not name the client in the configured header (or sent a PROXY "
    "header without an address). Scans are refused rather than aimed at the wrong address. "
    "Operator: make the proxy set the header named by client_address_header (see docs/api.md, "
    "\"Behind a proxy\").";

}  // namespace breakwater::site
