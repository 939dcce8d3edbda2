// The first routers toward the server (TTL-limited UDP probes; the ICMP time-exceeded
// senders read from the socket's error queue), this machine's own address toward it, and
// the hairpin test (a connection from inside to our own public address).
#pragma once

#include "app/nat_diagnosis.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace breakwater::app {

// TTL 1 up to max_hops, one probe each, waiting up to `wait` per hop. Stops at the server,
// at the first public hop beyond the first one (the NATs are before it), or after three
// silent hops in a row. Needs no privileges.
std::vector<hop> trace_first_hops(const std::string& destination, unsigned max_hops,
                                  std::chrono::milliseconds wait);

// The source address the kernel picks toward `destination` (no packet is sent).
std::string local_address_toward(const std::string& destination);

// Connects to address:port over TCP from inside: works when the router loops it back to the
// forwarded host (hairpin NAT).
hairpin_result try_hairpin(const std::string& address, std::uint16_t port,
                           std::chrono::milliseconds timeout);

}  // namespace breakwater::app
