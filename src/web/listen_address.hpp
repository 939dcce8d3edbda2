// Where a listener binds: an IP literal and a port, written ADDR:PORT or [IPV6]:PORT.
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::web {

struct listen_address {
  std::string host;  // an IPv4 or IPv6 literal, without brackets
  std::uint16_t port = 0;

  bool is_v6() const noexcept { return host.find(':') != std::string::npos; }
  friend bool operator==(const listen_address&, const listen_address&) = default;
};

// "127.0.0.1:8080", "[::1]:8443", "0.0.0.0:80". Names are not resolved: an address says
// exactly which interface is exposed.
boost::system::result<listen_address> parse_listen_address(std::string_view text);

// "127.0.0.1:8080" or "[::1]:8080".
std::string to_string(const listen_address& a);

// Parses a list of flag or config values; "off" anywhere means none at all.
boost::system::result<std::vector<listen_address>> parse_listen_list(
    const std::vector<std::string>& values);

}  // namespace breakwater::web
