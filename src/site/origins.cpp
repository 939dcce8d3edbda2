#include "site/origins.hpp"

#include "common/cidr.hpp"
#include "common/json_text.hpp"
#include "common/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::site {
namespace {

using origin_result = boost::system::result<std::string, origin_error>;

// A string is constructible into both sides of the result: say which one.
origin_result value(std::string text) {
  return origin_result(boost::system::in_place_value, std::move(text));
}

bool dns_name(std::string_view n) noexcept {
  auto checked = http::normalise_server_names({std::string(n)});
  return checked.has_value();
}

// "host[:port]" of an origin-shaped URL, lower-cased, the scheme's default port dropped; or
// the reason it cannot be one.
boost::system::result<std::string, origin_error> normal_authority(std::string_view authority,
                                                                  std::string_view default_port) {
  if (authority.empty()) return origin_error{"it names no host"};
  if (authority.find('@') != std::string_view::npos) {
    return origin_error{"it holds a user name; give only scheme, host and port"};
  }
  constexpr std::string_view brackets =
      "an IPv6 address must be written in brackets, as http://[2001:db8::1]/";
  bool bracketed = authority.starts_with('[');
  std::string_view host = http::host_part(authority);
  if (host.empty()) {
    if (!bracketed && std::count(authority.begin(), authority.end(), ':') > 1) {
      return origin_error{std::string(brackets)};
    }
    return origin_error{"it names no host"};
  }
  auto ip = common::parse_ip(host);
  if ((!ip && !dns_name(host)) || (bracketed && !ip)) {
    return origin_error{
        fmt::format("\u201c{}\u201d is neither a DNS name nor an IP address", host)};
  }
  if (ip && ip->v6 && !bracketed) return origin_error{std::string(brackets)};
  if (ip && !ip->v6 && bracketed) {
    return origin_error{"only an IPv6 address goes in brackets; write an IPv4 address as it is"};
  }
  std::string_view rest = authority.substr(bracketed ? host.size() + 2 : host.size());
  std::string out = common::to_lower(authority.substr(0, authority.size() - rest.size()));
  if (out.ends_with('.')) out.pop_back();
  if (!rest.empty()) {
    auto port = common::parse_port_number(rest.substr(1));
    if (rest[0] != ':' || !port || *port == 0) {
      return origin_error{fmt::format("\u201c{}\u201d is not a port", rest.substr(1))};
    }
    if (std::to_string(*port) != default_port) out += ":" + std::to_string(*port);
  }
  return value(std::move(out));
}

std::string_view scheme_of(std::string_view url) noexcept {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.size() >= scheme.size() && common::iequals(url.substr(0, scheme.size()), scheme)) {
      return url.substr(0, scheme.size());
    }
  }
  return {};
}

bool same_text(std::string_view a, std::string_view b) noexcept {
  return !a.empty() && common::iequals(a, b);
}

// Access-Control-Request-Headers: only the headers the pages send (Content-Type on a POST,
// Last-Event-ID when an event stream resumes).
bool allowed_request_headers(std::string_view list) noexcept {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view name = common::trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (name.empty()) continue;
    if (!common::iequals(name, "content-type") && !common::iequals(name, "last-event-id")) {
      return false;
    }
  }
  return true;
}

}  // namespace

boost::system::result<std::string, origin_error> normalise_origin(std::string_view url) {
  std::string_view scheme = scheme_of(url);
  if (scheme.empty()) {
    return origin_error{
        fmt::format("\u201c{}\u201d is not an absolute http:// or https:// URL; write it as "
                    "https://v4.ports.example.org",
                    url)};
  }
  std::string_view rest = url.substr(scheme.size());
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (!tail.empty() && tail != "/") {
    return origin_error{fmt::format(
        "\u201c{}\u201d has a path or query (\u201c{}\u201d); give only scheme, host and port, "
        "as https://v4.ports.example.org",
        url, tail)};
  }
  bool https = scheme.size() == 8;
  auto auth = normal_authority(authority, https ? "443" : "80");
  if (!auth) {
    return origin_error{fmt::format("\u201c{}\u201d is not usable: {}", url, auth.error().message)};
  }
  return value((https ? std::string("https://") : std::string("http://")) + *auth);
}

std::string_view origin_host(std::string_view origin) noexcept {
  std::string_view scheme = scheme_of(origin);
  return scheme.empty() ? std::string_view{} : http::host_part(origin.substr(scheme.size()));
}

bool is_site_origin(std::string_view origin, const sibling_origins& siblings,
                    const http::host_rules* names) noexcept {
  if (!siblings.dual()) return false;
  if (same_text(origin, siblings.ipv4) || same_text(origin, siblings.ipv6)) return true;
  // A sibling's name is that origin only: the same name on another scheme or port is
  // somebody else's page (another service on that host).
  std::string_view host = origin_host(origin);
  if (host.empty() || common::iequals(host, origin_host(siblings.ipv4)) ||
      common::iequals(host, origin_host(siblings.ipv6))) {
    return false;
  }
  return names != nullptr && names->is_server_name(host);
}

bool cors_path(std::string_view path) noexcept {
  return path == "/api/v1/scans" || path.starts_with("/api/v1/scans/") || path == "/api/v1/address";
}

void add_cors_headers(const request& req, const sibling_origins& siblings, response& res) {
  if (!siblings.dual() || !cors_path(req.path)) return;
  res.headers.emplace_back("Vary", "Origin");
  std::string_view origin = req.header("origin");
  const http::host_rules* names = req.conn != nullptr ? req.conn->hosts : nullptr;
  if (!is_site_origin(origin, siblings, names)) return;
  res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
}

response preflight_answer(const request& req, const sibling_origins& siblings) {
  std::string_view origin = req.header("origin");
  const http::host_rules* names = req.conn != nullptr ? req.conn->hosts : nullptr;
  std::string_view method = req.header("access-control-request-method");
  bool known_method = method == "GET" || method == "POST" || method == "DELETE";
  if (!is_site_origin(origin, siblings, names) || !known_method ||
      !allowed_request_headers(req.header("access-control-request-headers"))) {
    response no;
    no.status = 403;
    no.content_type = "application/json";
    no.body = common::json_text(boost::json::object{
                  {"error",
                   {{"code", "cross_site"},
                    {"message",
                     "Only this site's own pages may call the scan API from a browser (with "
                     "GET, POST or DELETE and a Content-Type header). Open this server's pages, "
                     "or call the API directly (curl sends no Origin)."}}}}) +
              "\n";
    if (siblings.dual()) no.headers.emplace_back("Vary", "Origin");
    return no;
  }
  response ok;
  ok.status = 204;
  ok.content_type = "text/plain; charset=utf-8";
  ok.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  ok.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE");
  ok.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, Last-Event-ID");
  ok.headers.emplace_back("Access-Control-Max-Age", "600");
  ok.headers.emplace_back("Vary", "Origin");
  return ok;
}

}  // namespace breakwater::site
