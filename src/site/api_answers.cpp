#include "site/api_answers.hpp"

#include "common/json_text.hpp"
#include "common/text.hpp"
#include "site/csrf.hpp"
#include "site/site.hpp"
#include "site/visitor.hpp"

#include <string>

namespace breakwater::site {

response json_answer(unsigned status, const boost::json::value& v) {
  response r;
  r.status = status;
  r.content_type = json_type;
  r.body = common::json_text(v) + "\n";
  return r;
}

response refused(const scan::refusal& no) {
  response r = website::json_error(no.status, no.code, no.message);
  if (no.retry_after.count() > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(no.retry_after.count()));
  }
  return r;
}

response unknown_client() {
  return website::json_error(403, "unknown_client", unknown_client_message);
}

std::optional<response> refuse_cross_site(const request& req, const sibling_origins& siblings) {
  if (same_origin(req, siblings)) return std::nullopt;
  return website::json_error(403, "cross_site",
                             "This request came from another site's page, which may not start "
                             "probes here. Open this server's own pages, or call the API directly "
                             "(curl sends no Origin).");
}

bool is_json(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return common::to_lower(std::string(t)) == "application/json";
}

response not_json() {
  return website::json_error(415, "unsupported_media_type",
                             "send the body as Content-Type: application/json");
}

}  // namespace breakwater::site
