// Parses an SSDP answer (an HTTP-style status line and headers over UDP) from a UPnP device.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::probe {

struct ssdp_reply {
  std::string status_line;                                   // "HTTP/1.1 200 OK"
  std::vector<std::pair<std::string, std::string>> headers;  // names upper-cased, in order
};

// Empty when the datagram is not an HTTP-style answer. Keeps at most 64 headers and cuts
// names and values to 512 bytes; control characters in values become spaces.
std::optional<ssdp_reply> parse_ssdp_reply(std::string_view datagram);

// The unicast M-SEARCH request sent to host:port.
std::string make_msearch(std::string_view host, unsigned port);

}  // namespace breakwater::probe
