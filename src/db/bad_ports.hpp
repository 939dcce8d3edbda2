// The ports that browsers refuse to fetch over http: and https:, from one source.
#pragma once

namespace breakwater::db {

// True when `port` is on the WHATWG Fetch Standard's "bad port" list: a browser refuses
// any http:// or https:// request to it, so a link or script cannot make a browser talk to
// the service there (the cross-protocol attacks the list exists to stop).
bool browsers_refuse(unsigned port) noexcept;

// The source of the list, named on pages and in JSON.
inline constexpr const char* bad_port_source = "https://fetch.spec.whatwg.org/#bad-port";

}  // namespace breakwater::db
