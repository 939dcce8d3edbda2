#include "http/host_rules.hpp"

#include "common/cidr.hpp"
#include "common/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::http {
namespace {

bool dns_name(std::string_view n) noexcept {
  if (n.empty() || n.size() > 253 || n.front() == '.' || n.front() == '-') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace

boost::system::result<std::vector<std::string>, std::string> normalise_server_names(
    const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& raw : names) {
    std::string n = common::to_lower(raw);
    if (n.ends_with('.')) n.pop_back();
    if (!dns_name(n)) {
      return fmt::format(
          "server name \u201c{}\u201d is not a DNS name: give a name such as ports.example.org, "
          "without scheme, port or path",
          raw);
    }
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
  }
  return out;
}

std::string_view host_part(std::string_view authority) noexcept {
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    return close == std::string_view::npos ? std::string_view{} : authority.substr(1, close - 1);
  }
  std::size_t colon = authority.find(':');
  // More than one colon without brackets is no valid authority.
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
    return {};
  }
  return authority.substr(0, colon);
}

bool host_rules::is_server_name(std::string_view host) const noexcept {
  if (host.ends_with('.')) host.remove_suffix(1);
  return std::any_of(names_.begin(), names_.end(),
                     [&](const std::string& n) { return common::iequals(n, host); });
}

bool host_rules::answers(std::string_view authority) const noexcept {
  std::string_view host = host_part(authority);
  if (host.empty()) return false;
  if (common::iequals(host, "localhost") || common::iequals(host, "localhost.")) return true;
  if (common::parse_ip(host)) return true;
  return is_server_name(host);
}

unsigned host_rules::check(const request& req) const noexcept {
  std::size_t count = 0;
  std::string_view host;
  for (const header_view& h : req.headers) {
    if (common::iequals(h.name, "host")) {
      ++count;
      host = h.value;
    }
  }
  if (count > 1) return 400;  // RFC 9112, 3.2: more than one Host is a bad request
  if (count == 0) return req.version >= 11 ? 400 : 0;
  return answers(host) ? 0 : 421;
}

}  // namespace breakwater::http
