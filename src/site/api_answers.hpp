// The answers every route of the probing API shares (scans, checks, reach tests): JSON
// bodies, refusals from the scan service with their Retry-After, the unknown-client and
// cross-site refusals, and the JSON content-type rule of POSTs.
#pragma once

#include "scan/service.hpp"
#include "site/http_names.hpp"
#include "site/origins.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

namespace breakwater::site {

inline constexpr std::string_view json_type = "application/json";

response json_answer(unsigned status, const boost::json::value& v);

// The service's refusal as the API's error, with Retry-After when it has one.
response refused(const scan::refusal& no);

// 403 unknown_client: a trusted proxy did not name the client.
response unknown_client();

// 403 cross_site when a browser says another site's page made the request: such a page may
// not start probes here (they would cost the visitor's budget and could time their
// network). The site's sibling origins (dual-stack pages) are not another site.
std::optional<response> refuse_cross_site(const request& req, const sibling_origins& siblings);

// Whether a Content-Type is application/json (parameters such as charset allowed). A
// cross-site form cannot send that type without a CORS preflight, which is granted only to
// this site's own origins: the content type is the API's CSRF protection.
bool is_json(std::string_view content_type);

// 415 unsupported_media_type, for a POST whose body is not declared as JSON.
response not_json();

}  // namespace breakwater::site
