// What a scan finds: a verdict per port (TCP and UDP), the ping and UPnP answers, and a summary.
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

enum class transport { tcp, udp };
// filtered: UDP only, an ICMP unreachable other than port-unreachable (a firewall's reject, or
// a router that cannot reach the host). TCP calls every ICMP unreachable closed, as before.
enum class port_state { open, closed, filtered, stealth };
// ack: a bare ACK of an earlier SYN of ours, which the port holds half-open (its SYN-ACK was
// lost): open, like syn_ack.
enum class reason { syn_ack, rst, icmp_unreachable, no_response, udp_answer, ack };

// Whether the verdict rests on re-probing after the target rate-limited its ICMP errors.
enum class recheck {
  none,        // decided in the normal pass
  rechecked,   // decided by the slow re-probe that outwaits the target's ICMP rate limit
  unresolved,  // still silent when the re-probe time ran out: stealth, or a hidden closed port
};

std::string_view to_string(transport t) noexcept;
std::string_view to_string(port_state s) noexcept;
std::string_view to_string(reason r) noexcept;
std::string_view to_string(recheck r) noexcept;

struct icmp_info {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  // Who sent it, when known and not the target itself (a router on the way): unspecified
  // otherwise.
  boost::asio::ip::address from{};
  friend bool operator==(const icmp_info&, const icmp_info&) = default;
};

// Port unreachable (ICMP 3/3, ICMPv6 1/4): the host itself says nothing listens there.
bool is_port_unreachable(const icmp_info& i, bool v6) noexcept;

// What came back from a UDP port that answered.
struct udp_answer {
  std::string protocol;       // the request's protocol ("DNS"; "generic" for the rest)
  std::size_t bytes_out = 0;  // UDP payload bytes of the requests of the try that answered
  std::size_t bytes_in = 0;   // UDP payload bytes of every datagram that came back
  unsigned datagrams = 0;
  std::string text;     // the first answer, escaped and cut short
  std::string summary;  // what the answer says, for people
  std::string finding;  // a probe::udp::finding_info id, or empty

  // Answer bytes per request byte: what a spoofed request would make this port send a victim.
  double amplification() const noexcept {
    return bytes_out == 0 ? 0.0 : static_cast<double>(bytes_in) / static_cast<double>(bytes_out);
  }
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
  transport proto = transport::tcp;
  std::optional<udp_answer> udp{};  // with reason::udp_answer
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
  std::size_t filtered = 0;  // UDP only
  std::size_t stealth = 0;

  void add(port_state s) noexcept;
};

scan_summary summary_of(const std::vector<port_result>& ports);

struct scan_result {
  boost::asio::ip::address target;
  std::vector<port_result> ports;  // TCP: ascending port order, every requested port once
  std::vector<port_result> udp;    // UDP: the same
  std::optional<ping_result> ping;
  std::optional<upnp_result> upnp;
  duration elapsed{};
  std::optional<duration> srtt;    // the smoothed round-trip time at the end, if measured
  bool icmp_rate_limited = false;  // a slow re-probe ran because ICMP errors were limited
  // The target's ICMP error limit as the re-check last modelled it (when it ran): a burst, then
  // one error per `refill`; `learned` where the target showed a faster refill than assumed or
  // told, `tightened` where it showed a tighter limit.
  struct icmp_limit_seen {
    double burst = 0;
    duration refill{};
    bool learned = false;
    bool tightened = false;
  };
  std::optional<icmp_limit_seen> icmp_limit;
  bool cancelled = false;  // stopped early: unprobed ports are missing
  // Ports (TCP and UDP) at least one try of which was sent: all of them once the scan ran to
  // its end; fewer when it was cancelled or stopped by a failure. What a scan cost, whatever
  // it decided (a silent port whose tries went out before a cancel cost them).
  std::size_t ports_tried = 0;
  // Set when the scan had to stop part-way (the route went away, sockets ran out): the
  // verdicts found before it are kept, and the ports not decided are missing.
  std::optional<failure> stopped_by;

  scan_summary summary() const { return summary_of(ports); }
  scan_summary udp_summary() const { return summary_of(udp); }
};

}  // namespace breakwater::probe
