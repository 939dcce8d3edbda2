#include "http/listen_address.hpp"

#include "common/text.hpp"
#include "http/error.hpp"

#include <arpa/inet.h>

namespace breakwater::http {
namespace {

bool is_ip_literal(const std::string& host, bool v6) {
  unsigned char buf[16];
  return inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), buf) == 1;
}

}  // namespace

boost::system::result<listen_address> parse_listen_address(std::string_view text) {
  text = common::trim(text);
  listen_address a;
  constexpr std::string_view proxy_suffix = ",proxy-protocol";
  if (text.ends_with(proxy_suffix)) {
    a.proxy_protocol = true;
    text = common::trim(text.substr(0, text.size() - proxy_suffix.size()));
  }
  std::string_view port;
  if (text.starts_with('[')) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
      return errc::bad_listen_address;
    }
    a.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    if (!is_ip_literal(a.host, true)) return errc::bad_listen_address;
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return errc::bad_listen_address;
    a.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (!is_ip_literal(a.host, false)) return errc::bad_listen_address;
  }
  auto number = common::parse_port_number(port);
  if (!number) return errc::bad_listen_address;
  a.port = static_cast<std::uint16_t>(*number);
  return a;
}

std::string authority(const listen_address& a) {
  std::string port = std::to_string(a.port);
  return a.is_v6() ? "[" + a.host + "]:" + port : a.host + ":" + port;
}

std::string to_string(const listen_address& a) {
  return a.proxy_protocol ? authority(a) + ",proxy-protocol" : authority(a);
}

boost::system::result<std::vector<listen_address>> parse_listen_list(
    const std::vector<std::string>& values) {
  std::vector<listen_address> out;
  // "off" turns the scheme off; beside addresses it would silently drop them all.
  for (const std::string& v : values) {
    if (common::trim(v) != "off") continue;
    if (values.size() > 1) return errc::off_with_addresses;
    return std::vector<listen_address>{};
  }
  for (const std::string& v : values) {
    auto a = parse_listen_address(v);
    if (!a) return a.error();
    out.push_back(*a);
  }
  return out;
}

}  // namespace breakwater::http
