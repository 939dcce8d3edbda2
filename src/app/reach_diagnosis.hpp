// What `breakwater reach` can tell when the nonce did not arrive: the address the server
// sent to, against this machine's own addresses, and what the server saw of its sending
// (refused, no answer, written to something else). No I/O here, so tests feed it cases.
#pragma once

#include "common/local_addresses.hpp"
#include "probe/reach.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::app {

using common::local_address;
using common::local_addresses;

struct reach_evidence {
  probe::reach_transport transport = probe::reach_transport::udp;
  std::uint16_t port = 0;        // the port the server sent to
  std::uint16_t local_port = 0;  // the port this machine listened on or watched
  bool watch = false;
  std::string server_saw;            // the address the server sent to
  std::vector<local_address> local;  // this machine's addresses
  std::string toward_server;         // this machine's IPv4 source address toward the server
  unsigned waited_s = 0;
  // The server's view of the test after the wait (empty: it could not be read).
  std::string state;  // "sending", "sent", "expired"...
  probe::reach_delivery delivery = probe::reach_delivery::none;
  unsigned attempts = 0;
  std::string detail;
  std::string server_url;  // for the commands suggested next
};

enum class reach_case {
  this_machine,  // the server sent straight to this machine: its firewall, or nothing listens
  nat,           // to a router's address while this machine has a private one: the forward
  cgnat,         // 100.64.0.0/10: the provider's NAT, where no forward of yours can help
  elsewhere,     // an address that is neither: a proxy, a VPN, another machine
};

std::string_view to_string(reach_case c) noexcept;  // "this-machine", "nat", "cgnat", "elsewhere"

struct reach_explanation {
  reach_case kind = reach_case::elsewhere;
  std::string headline;              // which case, in one sentence
  std::vector<std::string> details;  // what the server saw of its sending
  std::vector<std::string> next;     // what to check or do next
};

reach_explanation explain_timeout(const reach_evidence& e);

}  // namespace breakwater::app
