// UDP services, one protocol each: the request that makes a real service answer, and what its
// answer says. A silent UDP port looks exactly like a firewall, so every port we can name gets
// a request its service answers; the rest get the generic probe. Asio-free: the prober sends
// `requests()` and hands every datagram that came back to `read`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::probe::udp {

// What an answer means for the visitor, as a stable id of the findings table (finding.hpp);
// empty when the answer calls for nothing.
struct reading {
  std::string summary;       // facts from the answer, for people: "recursion available, ..."
  std::string_view finding;  // e.g. "open-resolver"; a key of findings()
};

struct protocol {
  std::string_view name;  // "DNS", "NTP", "generic"
  // The datagrams of one try, sent together: usually one, a few small ones where a service
  // answers only one of several forms (NTP's time request and monlist). Never more than one
  // answer's worth of traffic per port.
  std::vector<std::string> (*requests)();
  // Every datagram that came back from the port for one try, in order (at least one). Never
  // throws, whatever the bytes: an answer that is not the protocol's still makes the port open
  // ("an answer that is not DNS").
  reading (*read)(std::span<const std::string_view> answers);
  // Silent by design (WireGuard): what silence means there, for people. Empty otherwise.
  std::string_view silence;
};

// The protocol spoken on `port`, or the generic probe's.
const protocol& protocol_for(std::uint16_t port) noexcept;

// The ports of the named set "udp-common": every port with a protocol of its own here.
std::span<const std::uint16_t> common_ports() noexcept;

// The answer's bytes for people: printable ASCII kept, the rest as \xNN (\n, \r, \t as such),
// cut at `limit` characters of output with "..." when cut.
std::string escaped_text(std::string_view bytes, std::size_t limit = 160);

}  // namespace breakwater::probe::udp
