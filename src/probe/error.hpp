// Errors the probe engine returns at its edges, and which step of a scan failed.
#pragma once

#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace breakwater::probe {

enum class errc {
  bad_target = 1,      // not an address the engine can probe (unspecified, multicast...)
  no_route,            // this host has no route to the target
  no_permission,       // the system refused (firewall on this host, missing privilege)
  out_of_sockets,      // no file descriptor or local port left even after pacing
  cancelled,           // the caller cancelled the scan
  echo_not_permitted,  // neither a raw ICMP socket nor a ping socket is allowed
  local_failure,       // another unexpected error from this host's network stack
};

const boost::system::error_category& probe_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), probe_category()};
}

// The step that failed, libtorrent-style: "connect", "open socket"...
enum class operation { none, open_socket, set_option, connect, send, receive, wait };

std::string_view to_string(operation op) noexcept;

// An error with the step it came from, for messages such as "connect: no route to host".
struct failure {
  boost::system::error_code code;
  operation op = operation::none;
  std::string detail;  // what was being done, e.g. "port 80 of 198.18.0.2"

  std::string message() const;
};

}  // namespace breakwater::probe

template <>
struct boost::system::is_error_code_enum<breakwater::probe::errc> : std::true_type {};
