// A scan as the pages and the API see it: plain data copied out of the scan service, no Asio.
#pragma once

#include "probe/port_set.hpp"
#include "probe/verdict.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace breakwater::scan {

// The tests a visitor can choose. Each maps to a port set and the extra probes it sends.
enum class scan_kind {
  single,        // one port (the "probe port N" control)
  common,        // probe::parse_port_set("common")
  service,       // 0-1055
  file_sharing,  // 137-139, 445
  custom,        // a port spec typed by the visitor
  full,          // 0-65535, paced
  ping,          // ICMP echo only
  upnp,          // SSDP M-SEARCH to UDP 1900 only
  udp,           // "UDP services and reflectors": the udp-common set, each port's protocol
};

// "single", "common", "service", "file-sharing", "custom", "full", "ping", "upnp", "udp".
std::string_view to_string(scan_kind k) noexcept;
bool parse_scan_kind(std::string_view text, scan_kind& out) noexcept;
// "All service ports (0-1055)" and the like, for headings.
std::string_view title_of(scan_kind k) noexcept;

enum class scan_phase { running, done, cancelled, failed };
std::string_view to_string(scan_phase p) noexcept;  // "running", "done", ...

struct scan_view {
  std::string id;      // unguessable and URL-safe; only its owner's address may see it
  std::string target;  // the address being probed: always the visitor's own
  scan_kind kind = scan_kind::common;
  probe::port_set ports;      // the TCP ports probed; empty for ping, UPnP and UDP tests
  probe::port_set udp_ports;  // the UDP ports probed
  bool ping = false;
  bool upnp = false;
  scan_phase phase = scan_phase::running;
  std::size_t decided = 0;  // ports decided so far, of total_ports()
  // The verdicts so far in ascending port order (complete when phase is done), plus the
  // ping and UPnP answers once they are in: the shape of `breakwater probe --json`.
  probe::scan_result result;
  std::string error;  // phase failed: what went wrong, for people
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point expires;  // forgotten after this
  std::chrono::milliseconds estimate{0};          // expected duration, shown before and during

  std::size_t total_ports() const noexcept { return ports.size() + udp_ports.size(); }
};

}  // namespace breakwater::scan
