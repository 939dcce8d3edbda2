#include "db/transport.hpp"

#include "common/text.hpp"

namespace breakwater::db {

std::string_view to_string(transport t) noexcept {
  switch (t) {
    case transport::tcp: return "tcp";
    case transport::udp: return "udp";
    case transport::sctp: return "sctp";
    case transport::dccp: return "dccp";
  }
  return "?";
}

std::optional<transport> parse_transport(std::string_view text) noexcept {
  for (transport t : all_transports) {
    if (common::iequals(text, to_string(t))) return t;
  }
  return std::nullopt;
}

}  // namespace breakwater::db
