// This machine's own addresses (getifaddrs), for telling whether the address a server saw
// is this machine's or a router's.
#pragma once

#include <string>
#include <vector>

namespace breakwater::app {

struct local_address {
  std::string interface;  // "eth0"
  std::string address;    // "192.168.1.2", "2001:db8::2" (no zone)
};

// The IPv4 and IPv6 addresses of every interface that is up, loopback left out.
std::vector<local_address> local_addresses();

}  // namespace breakwater::app
