#include "site/address_note.hpp"

#include "common/cidr.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

std::optional<common::address_scope> scope(std::string_view address) {
  auto ip = common::parse_ip(common::without_zone(address));
  if (!ip) return std::nullopt;
  return common::scope_of(*ip);
}

}  // namespace

std::string_view scope_name(std::string_view address) {
  auto s = scope(address);
  return s ? common::to_string(*s) : std::string_view("unknown");
}

std::optional<std::string> address_note(std::string_view address) {
  auto s = scope(address);
  if (!s) return std::nullopt;
  switch (*s) {
    case common::address_scope::global: return std::nullopt;
    case common::address_scope::shared:
      return fmt::format(
          "{} is in 100.64.0.0/10, the range providers use for carrier-grade NAT (RFC 6598): this "
          "server sits inside your provider's network, between you and the internet. The result "
          "shows what the provider's network can reach, not what the internet can; from the "
          "internet, your connection is most likely not reachable at all over IPv4.",
          address);
    case common::address_scope::private_use:
      return fmt::format(
          "{} is a private address (RFC 1918 / RFC 4193): this server is on your own network "
          "(or your provider's), not on the internet. The result shows what a machine there can "
          "reach, which is usually more than the internet can.",
          address);
    case common::address_scope::link_local:
      return fmt::format(
          "{} is a link-local address: this server is on the same network segment as you. The "
          "result says nothing about what the internet can reach.",
          address);
    case common::address_scope::loopback:
      return fmt::format(
          "{} is this server's own loopback address: you are testing the machine the server "
          "runs on, from itself.",
          address);
  }
  return std::nullopt;
}

}  // namespace breakwater::site
