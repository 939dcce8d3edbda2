// What `breakwater selfcheck` saw of the caller's own address, per address family, and what
// changed against a saved baseline. Plain data and JSON: no network here.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace breakwater::app {

struct family_view {
  std::string address;           // the address the server probed
  std::set<std::uint16_t> open;  // TCP ports that accepted a connection
  bool ping_answered = false;
  bool upnp_answered = false;
};

struct snapshot {
  std::string server;
  std::string ports;                        // the port spec that was tested
  std::map<std::string, family_view> seen;  // by family: "IPv4", "IPv6"
};

struct change {
  std::string family;
  std::string what;  // "opened", "closed", "ping-answers", "ping-silent", "upnp-answers",
                     // "upnp-silent", "address", "family-new", "family-gone"
  std::uint16_t port = 0;
  std::string detail;  // the new address, for "address"
  bool newly_reachable() const noexcept;
  std::string sentence() const;
};

// The family's part of a finished scan as GET /api/v1/scans/{id} shows it.
boost::system::result<family_view, std::string> view_of_scan(const boost::json::value& scan);

boost::json::value to_json(const snapshot& s);
boost::system::result<snapshot, std::string> snapshot_from_json(const boost::json::value& v);

// What differs from `before` to `now`, family by family, port by port.
std::vector<change> compare(const snapshot& before, const snapshot& now);

}  // namespace breakwater::app
