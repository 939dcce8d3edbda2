// The default gateways, read from the kernel's route tables as text (/proc/net/route and
// /proc/net/ipv6_route): the parsing is apart from the reading so that tests feed it text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::app {

struct default_gateway {
  std::string address;    // "192.168.1.1", "fe80::1"
  std::string interface;  // "eth0"
  unsigned metric = 0;
};

// The IPv4 default route with the lowest metric that goes through a gateway.
std::optional<default_gateway> parse_ipv4_default_route(std::string_view proc_net_route);

// The same for IPv6 (/proc/net/ipv6_route: hex addresses, no header line).
std::optional<default_gateway> parse_ipv6_default_route(std::string_view proc_net_ipv6_route);

// Both read from /proc; empty when the file cannot be read or has no default route.
std::optional<default_gateway> ipv4_default_gateway();
std::optional<default_gateway> ipv6_default_gateway();

}  // namespace breakwater::app
