// What `breakwater selfcheck` saw of the caller's own address, per address family, and what
// changed against a saved baseline. Plain data and JSON: no network here.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <map>
#include <optional>
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
  // Whether ping and UPnP were tested (--ping, --upnp). A baseline written before they were
  // recorded says nothing: nullopt, and it is taken to match the run.
  std::optional<bool> ping;
  std::optional<bool> upnp;
};

struct change {
  std::string family;
  std::string what;  // "opened", "closed", "ping-answers", "ping-silent", "upnp-answers",
                     // "upnp-silent", "address"
  std::uint16_t port = 0;
  std::string detail;  // the new address, for "address"
  bool newly_reachable() const noexcept;
  std::string sentence() const;
};

// The family's part of a finished scan as GET /api/v1/scans/{id} shows it.
boost::system::result<family_view, std::string> view_of_scan(const boost::json::value& scan);

boost::json::value to_json(const snapshot& s);
boost::system::result<snapshot, std::string> snapshot_from_json(const boost::json::value& v);

// Empty when the baseline was taken against `server` with the port list `ports`; otherwise
// what it was taken with against what is asked now. Then a port tested only on one side
// would look opened or closed: nothing may be compared.
std::string settings_differ(const snapshot& baseline, const std::string& server,
                            const std::string& ports);

// Ping and UPnP are compared only where both runs tested them: a run that adds --ping does
// not see "now answers ping" as news, nor one that leaves it out "no longer answers".
// A family the baseline has and this run could not test says nothing about what changed:
// it is not compared. One this run tested and the baseline never had is compared with a
// family where nothing answered: only what it exposes counts as a change.
struct comparison {
  std::vector<std::string> compared;         // tested both times
  std::vector<change> changes;               // port by port (a new family: what it exposes)
  std::vector<std::string> not_tested;       // in the baseline, not tested this time
  std::vector<std::string> not_in_baseline;  // tested this time, never before
};

comparison compare(const snapshot& before, const snapshot& now);

// The baseline to write after this run: what this run saw, and for each family it could not
// test, the baseline's own view, so a family back after an outage is compared with what it
// was rather than seen for the first time. Likewise ping and UPnP when this run left them out.
snapshot baseline_after(const snapshot& before, snapshot now);

}  // namespace breakwater::app
