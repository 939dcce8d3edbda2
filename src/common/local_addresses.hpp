// This machine's own addresses (getifaddrs): for telling whether the address a server saw
// is this machine's or a router's, and for a server to refuse to probe itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::common {

struct local_address {
  std::string interface;  // "eth0"
  std::string address;    // "192.168.1.2", "2001:db8::2" (no zone)
};

// The IPv4 and IPv6 addresses of every interface that is up, loopback left out.
std::vector<local_address> local_addresses();

// Whether `address` (IPv4-mapped read as IPv4; a zone ignored) is assigned to any interface
// of this machine, loopback and interfaces that are down included; nothing when the
// addresses cannot be read (getifaddrs needs a netlink socket). Read afresh each call:
// addresses come and go.
std::optional<bool> is_own_address(std::string_view address);

}  // namespace breakwater::common
