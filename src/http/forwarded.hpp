// The client chain a proxy reports: X-Forwarded-For and Forwarded (RFC 7239). Read only for
// connections from configured trusted proxies (see visitor.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {

// One hop as written, client first. nullopt for a hop that names no usable address
// ("unknown", an obfuscated identifier, garbage): the chain cannot be followed past it.
using forwarded_hops = std::vector<std::optional<std::string>>;

// "203.0.113.7, 198.18.0.9" (addresses, optionally IPv4 with :port or [IPv6]:port).
forwarded_hops parse_x_forwarded_for(std::string_view value);

// for= of each element: `for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`.
forwarded_hops parse_forwarded(std::string_view value);

// A normalised address from a node as written ("[::1]:80", "1.2.3.4:5", "1.2.3.4"), or none.
std::optional<std::string> node_address(std::string_view node);

}  // namespace breakwater::http
