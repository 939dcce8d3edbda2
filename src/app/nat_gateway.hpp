// Asks the default gateway about itself: UPnP IGD (SSDP, the description, SOAP) and NAT-PMP.
// Blocking, with short timeouts: a router that is silent costs a couple of seconds.
#pragma once

#include "app/nat_diagnosis.hpp"

#include <string>
#include <vector>

namespace breakwater::app {

struct upnp_findings {
  gateway_report report;
  std::string router_name;
  std::vector<probe::port_mapping> mappings;
  std::string problem;  // a step that failed after the router answered SSDP
};

// M-SEARCH for an InternetGatewayDevice (multicast on the LAN and unicast to the gateway), the
// description at LOCATION, GetExternalIPAddress and the port mappings of its WAN service.
upnp_findings ask_upnp(const std::string& gateway);

// The NAT-PMP external address request, retried at 250, 500 and 1000 ms (RFC 6886).
gateway_report ask_nat_pmp(const std::string& gateway);

}  // namespace breakwater::app
