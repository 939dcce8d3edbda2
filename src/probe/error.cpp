#include "probe/error.hpp"

#include "common/error_category.hpp"

#include <fmt/format.h>

namespace breakwater::probe {
namespace {

std::string_view describe(errc e) noexcept {
  switch (e) {
    case errc::bad_target: return "not a probe target: give one unicast IPv4 or IPv6 address";
    case errc::no_route:
      return "this host has no route to the target (check its address and this host's network)";
    case errc::no_permission:
      return "the system refused to send the probe (a firewall on this host, or a missing "
             "privilege)";
    case errc::out_of_sockets:
      return "no socket or local port left; lower --rate or raise the open-files limit";
    case errc::cancelled: return "the scan was cancelled";
    case errc::echo_not_permitted:
      return "ICMP echo is not allowed for this user: neither a raw ICMP socket (needs "
             "CAP_NET_RAW) nor a ping socket (see sysctl net.ipv4.ping_group_range)";
    case errc::local_failure: return "this host's network stack reported an unexpected error";
  }
  return "unknown probe error";
}

}  // namespace

const boost::system::error_category& probe_category() noexcept {
  static const common::enum_category<errc> instance("breakwater.probe", describe);
  return instance;
}

std::string_view to_string(operation op) noexcept {
  switch (op) {
    case operation::none: return "probe";
    case operation::open_socket: return "open socket";
    case operation::set_option: return "set socket option";
    case operation::connect: return "connect";
    case operation::send: return "send";
    case operation::receive: return "receive";
    case operation::wait: return "wait";
  }
  return "probe";
}

std::string failure::message() const {
  std::string text = fmt::format("{}: {}", to_string(op), code.message());
  if (!detail.empty()) text += fmt::format(" ({})", detail);
  return text;
}

}  // namespace breakwater::probe
