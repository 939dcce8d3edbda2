// Where a listener binds: an IP literal and a port, written ADDR:PORT or [IPV6]:PORT, and
// whether connections to it start with a PROXY protocol header ("ADDR:PORT,proxy-protocol").
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {

struct listen_address {
  std::string host;  // an IPv4 or IPv6 literal, without brackets
  std::uint16_t port = 0;
  // Every connection must begin with a PROXY header (v1 or v2) from a trusted proxy; on
  // other listeners a PROXY line is never read as one.
  bool proxy_protocol = false;

  bool is_v6() const noexcept { return host.find(':') != std::string::npos; }
  friend bool operator==(const listen_address&, const listen_address&) = default;
};

// "127.0.0.1:8080", "[::1]:8443", "0.0.0.0:80", "[::]:8443,proxy-protocol". Names are not
// resolved: an address says exactly which interface is exposed.
boost::system::result<listen_address> parse_listen_address(std::string_view text);

// "127.0.0.1:8080" or "[::1]:8080,proxy-protocol": what parse_listen_address reads back.
std::string to_string(const listen_address& a);

// "127.0.0.1:8080" or "[::1]:8080": the address part alone, for URLs.
std::string authority(const listen_address& a);

// Parses a list of flag or config values; "off" anywhere means none at all.
boost::system::result<std::vector<listen_address>> parse_listen_list(
    const std::vector<std::string>& values);

}  // namespace breakwater::http
