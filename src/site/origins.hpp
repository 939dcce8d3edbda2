// This site's sibling origins: the same server under a name with only an A record and one
// with only an AAAA record, so that a page can test both address families. They are the only
// other origins whose pages may call the scan API (CORS), besides the configured server names.
#pragma once

#include "http/host_rules.hpp"
#include "site/http_names.hpp"

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace breakwater::site {

// Why a URL is no origin: a sentence that says what is wrong and how to write it.
struct origin_error {
  origin_error() = default;
  explicit origin_error(std::string m) : message(std::move(m)) {}
  std::string message;
};

// "HTTP://V4.Example.org:80/" -> "http://v4.example.org", the form browsers send in Origin.
// Refused: not an absolute http(s) URL, a path beyond "/", a query, a user name, or a host
// that is no DNS name or IP literal.
boost::system::result<std::string, origin_error> normalise_origin(std::string_view url);

// The host of a normalised origin: "http://[2001:db8::1]:8080" -> "2001:db8::1".
std::string_view origin_host(std::string_view origin) noexcept;

struct sibling_origins {
  std::string ipv4;  // normalised; empty when not configured
  std::string ipv6;

  // Both set: the scan pages test both families side by side.
  bool dual() const noexcept { return !ipv4.empty() && !ipv6.empty(); }
};

// Whether a browser page at `origin` (an Origin header) is this site: exactly one of the
// sibling origins, or an http(s) origin on a configured server name other than the siblings'
// names. Always false while the siblings are not both configured: then no other origin is
// ever this site.
bool is_site_origin(std::string_view origin, const sibling_origins& siblings,
                    const http::host_rules* names) noexcept;

// The scan API paths that other origins of this site may call.
bool cors_path(std::string_view path) noexcept;

// CORS for a scan API answer: when the request's Origin is this site, the answer names it
// in Access-Control-Allow-Origin (never "*", never with credentials); with siblings
// configured it always carries Vary: Origin, so that no cache hands one origin's answer to
// another.
void add_cors_headers(const request& req, const sibling_origins& siblings, response& res);

// The answer to a CORS preflight (OPTIONS) on a scan API path: 204 with the methods and
// headers the pages use, for this site's origins only; 403 cross_site for anybody else.
response preflight_answer(const request& req, const sibling_origins& siblings);

}  // namespace breakwater::site
