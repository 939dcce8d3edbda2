// UDP verdicts as the probe engine reports them, for page, verdict and API tests: an answer
// with its protocol, sizes, text and finding; port unreachable; another ICMP error from a
// router; silence. And a finished "UDP services and reflectors" scan made of them.
#pragma once

#include "probe/port_set.hpp"
#include "scan/scan_view.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace breakwater::site::testing {

inline probe::port_result udp_result(std::uint16_t port, probe::port_state state) {
  probe::port_result r;
  r.port = port;
  r.proto = probe::transport::udp;
  r.state = state;
  r.tries = state == probe::port_state::stealth ? 2 : 1;
  if (state != probe::port_state::stealth) r.rtt = std::chrono::microseconds(12300);
  return r;
}

inline probe::port_result udp_open(std::uint16_t port, std::string protocol, std::size_t out,
                                   std::size_t in, std::string finding, std::string summary,
                                   std::string text) {
  probe::port_result r = udp_result(port, probe::port_state::open);
  r.why = probe::reason::udp_answer;
  probe::udp_answer a;
  a.protocol = std::move(protocol);
  a.bytes_out = out;
  a.bytes_in = in;
  a.datagrams = 1;
  a.finding = std::move(finding);
  a.summary = std::move(summary);
  a.text = std::move(text);
  r.udp = a;
  return r;
}

// ICMP port unreachable from the target itself.
inline probe::port_result udp_closed(std::uint16_t port) {
  probe::port_result r = udp_result(port, probe::port_state::closed);
  r.why = probe::reason::icmp_unreachable;
  r.icmp = probe::icmp_info{3, 3, {}};
  return r;
}

// Admin-prohibited, sent by a router on the way.
inline probe::port_result udp_filtered(std::uint16_t port, std::string_view from) {
  probe::port_result r = udp_result(port, probe::port_state::filtered);
  r.why = probe::reason::icmp_unreachable;
  r.icmp = probe::icmp_info{3, 13, boost::asio::ip::make_address(from)};
  return r;
}

inline probe::port_result udp_silent(std::uint16_t port) {
  return udp_result(port, probe::port_state::stealth);
}

// A DNS server open to anyone: 29 bytes asked, 45 back (x1.6).
inline probe::port_result open_resolver() {
  return udp_open(53, "DNS", 29, 45, "open-resolver",
                  "a DNS resolver open to anyone: recursion available, NOERROR, 1 answer",
                  "\\x62\\x77\\x81\\x80 <script>alert(1)</script>");
}

// A finished UDP test of 53 (open resolver), 123 (closed), 161 (filtered by 198.18.0.254) and
// 51820 (silent: WireGuard).
inline scan::scan_view udp_scan() {
  scan::scan_view v;
  v.id = "Udp_1";
  v.target = "198.18.0.2";
  v.kind = scan::scan_kind::udp;
  v.udp_ports = *probe::parse_port_set("53,123,161,51820");
  v.phase = scan::scan_phase::done;
  v.started = std::chrono::system_clock::time_point(std::chrono::hours(500000));
  v.expires = v.started + std::chrono::minutes(30);
  v.result.target = boost::asio::ip::make_address("198.18.0.2");
  v.result.udp = {open_resolver(), udp_closed(123), udp_filtered(161, "198.18.0.254"),
                  udp_silent(51820)};
  v.decided = 4;
  return v;
}

}  // namespace breakwater::site::testing
