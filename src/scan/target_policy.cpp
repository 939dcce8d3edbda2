#include "scan/target_policy.hpp"

#include "common/ip.hpp"
#include "common/local_addresses.hpp"

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

namespace breakwater::scan {
namespace {

refusal not_allowed(std::string_view address, std::string_view what, std::string_view advice) {
  return {403,
          "target_not_allowed",
          fmt::format("This server will not probe {}: it is {}. {}", address, what, advice),
          {}};
}

}  // namespace

std::optional<refusal> check_target(std::string_view address, bool allow_loopback) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(address, ec);
  if (ec) {
    return refusal{400,
                   "bad_target",
                   fmt::format("The connection's address \u201c{}\u201d could not be read; "
                               "connect over plain IPv4 or IPv6.",
                               address),
                   {}};
  }
  a = common::unmapped(a);
  constexpr std::string_view elsewhere =
      "Visit this site from the connection you want tested (not through a proxy on the same "
      "machine).";
  if (a.is_unspecified()) return not_allowed(address, "the unspecified address", elsewhere);
  if (a.is_multicast()) return not_allowed(address, "a multicast address", elsewhere);
  if (a.is_v4() && a.to_v4() == boost::asio::ip::address_v4::broadcast()) {
    return not_allowed(address, "the broadcast address", elsewhere);
  }
  constexpr std::string_view from_another =
      "Visit from another machine, or, if you run this server, set allow_loopback = true in its "
      "[scan] configuration.";
  if (a.is_loopback() && !allow_loopback) {
    return not_allowed(address, "a loopback address (this server itself)", from_another);
  }
  // A visitor on this machine comes from one of its own addresses: probing it would show the
  // server's own ports to whoever asked (and so would a proxy here that is not trusted).
  if (allow_loopback) return std::nullopt;
  auto own = common::is_own_address(address);
  if (!own) {
    // Unknown is refused: probing might be probing this very server.
    return refusal{503,
                   "unavailable",
                   "This server cannot read its own addresses, so it cannot make sure it would "
                   "not probe itself. Its operator must allow it netlink sockets (AF_NETLINK).",
                   {}};
  }
  if (*own) return not_allowed(address, "an address of this server", from_another);
  return std::nullopt;
}

}  // namespace breakwater::scan
