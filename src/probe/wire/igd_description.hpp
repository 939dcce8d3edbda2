// An Internet Gateway Device's description (the XML at an SSDP answer's LOCATION): the router's
// name and the WAN connection services whose control URLs answer GetExternalIPAddress.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::probe {

struct igd_wan_service {
  std::string service_type;  // urn:schemas-upnp-org:service:WANIPConnection:1 ...
  std::string control_url;   // as written: absolute, or relative to URLBase or LOCATION
};

struct igd_description {
  std::string friendly_name;
  std::string manufacturer;
  std::string model_name;
  std::string url_base;                       // often absent
  std::vector<igd_wan_service> wan_services;  // WANIPConnection and WANPPPConnection, in order
};

// Empty when the text is not a UPnP device description (no <root> holding a <device>).
// Reads at most 256 KiB and 32 services.
std::optional<igd_description> parse_igd_description(std::string_view xml);

// `ref` made absolute against URLBase (when set) or the description's LOCATION; empty unless
// the result is an http:// URL (IGDs serve plain HTTP on the LAN).
std::optional<std::string> resolve_control_url(std::string_view location, std::string_view url_base,
                                               std::string_view ref);

}  // namespace breakwater::probe
