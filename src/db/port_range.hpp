// The three port ranges of RFC 6335 section 6.
#pragma once

#include <string_view>

namespace breakwater::db {

enum class port_range { system, user, dynamic };

constexpr port_range range_of(unsigned port) noexcept {
  if (port <= 1023) return port_range::system;
  if (port <= 49151) return port_range::user;
  return port_range::dynamic;
}

constexpr std::string_view to_string(port_range r) noexcept {
  switch (r) {
    case port_range::system: return "system";
    case port_range::user: return "user";
    case port_range::dynamic: return "dynamic";
  }
  return "system";
}

// What the range means, in one line for pages.
constexpr std::string_view describe(port_range r) noexcept {
  switch (r) {
    case port_range::system: return "System port (0-1023): assigned by IANA through IETF review.";
    case port_range::user: return "User port (1024-49151): registered with IANA by application.";
    case port_range::dynamic:
      return "Dynamic or private port (49152-65535): never assigned; operating systems hand "
             "these out for outgoing connections (RFC 6335).";
  }
  return "";
}

}  // namespace breakwater::db
