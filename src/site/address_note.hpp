// What a visitor should know about the address a probe will reach when it is not an
// internet address: the server then sits inside the visitor's own or provider's network.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::site {

// "global", "shared" (carrier-grade NAT space), "private", "link-local" or "loopback";
// "unknown" when `address` is not an IP address.
std::string_view scope_name(std::string_view address);

// A sentence for an address that is not on the internet, nothing for one that is.
std::optional<std::string> address_note(std::string_view address);

}  // namespace breakwater::site
