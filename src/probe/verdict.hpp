// What a scan finds: a verdict per port, the ping and UPnP answers, and a summary.
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/error.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::probe {

enum class port_state { open, closed, stealth };
enum class reason { syn_ack, rst, icmp_unreachable, no_response };

// Whether the verdict rests on re-probing after the target rate-limited its ICMP errors.
enum class recheck {
  none,        // decided in the normal pass
  rechecked,   // decided by the slow re-probe that outwaits the target's ICMP rate limit
  unresolved,  // still silent when the re-probe time ran out: stealth, or a hidden closed port
};

std::string_view to_string(port_state s) noexcept;
std::string_view to_string(reason r) noexcept;
std::string_view to_string(recheck r) noexcept;

struct icmp_info {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  friend bool operator==(const icmp_info&, const icmp_info&) = default;
};

// "port-unreachable", "admin-prohibited"...: the destination-unreachable code in words.
std::string_view icmp_name(const icmp_info& i, bool v6) noexcept;

struct port_result {
  std::uint16_t port = 0;
  port_state state = port_state::stealth;
  reason why = reason::no_response;
  std::optional<icmp_info> icmp;  // with reason::icmp_unreachable, when the type is known
  std::optional<duration> rtt;    // when something answered
  unsigned tries = 0;
  recheck rate_limit = recheck::none;
};

struct ping_result {
  bool permitted = false;  // false: neither a raw ICMP socket nor a ping socket was allowed
  bool answered = false;
  std::string method;  // "raw" or "ping-socket"
  unsigned sent = 0;
  unsigned received = 0;
  std::optional<duration> rtt;  // of the first answer
  std::string error;            // why it could not run, for people
};

struct upnp_result {
  bool answered = false;
  unsigned sent = 0;
  std::optional<duration> rtt;
  std::string from;         // "198.18.0.2:1900"
  std::string status_line;  // "HTTP/1.1 200 OK"
  std::vector<std::pair<std::string, std::string>> headers;
  bool refused = false;  // an ICMP port-unreachable came back for UDP 1900
  std::string error;
};

struct scan_summary {
  std::size_t open = 0;
  std::size_t closed = 0;
  std::size_t stealth = 0;
};

struct scan_result {
  boost::asio::ip::address target;
  std::vector<port_result> ports;  // ascending port order, every requested port once
  std::optional<ping_result> ping;
  std::optional<upnp_result> upnp;
  duration elapsed{};
  std::optional<duration> srtt;    // the smoothed round-trip time at the end, if measured
  bool icmp_rate_limited = false;  // a slow re-probe ran because ICMP errors were limited
  bool cancelled = false;          // stopped early: unprobed ports are missing
  // Set when the scan had to stop part-way (the route went away, sockets ran out): the
  // verdicts found before it are kept, and the ports not decided are missing.
  std::optional<failure> stopped_by;

  scan_summary summary() const;
};

}  // namespace breakwater::probe
