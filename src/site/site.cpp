#include "site/site.hpp"

#include "common/json_text.hpp"
#include "common/text.hpp"
#include "db/port_json.hpp"
#include "http/client_address.hpp"
#include "site/assets.hpp"
#include "site/escape.hpp"
#include "site/pages.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::site {
namespace {

constexpr std::string_view json_type = "application/json";

// The host name from a Host header, when it is a plain name or address; otherwise empty.
std::string host_name(std::string_view host) {
  if (host.starts_with('[')) {
    std::size_t close = host.find(']');
    host = close == std::string_view::npos ? std::string_view{} : host.substr(1, close - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  for (char c : host) {
    bool ok = common::is_word_char(c) || c == '.' || c == '-' || c == ':';
    if (!ok) return {};
  }
  return std::string(host);
}

std::optional<std::uint16_t> port_of(std::string_view text) {
  auto n = common::parse_port_number(text);
  if (!n) return std::nullopt;
  return static_cast<std::uint16_t>(*n);
}

}  // namespace

website::website(const db::database& db, const db::search_index& search, site_options options)
    : db_(db), search_(search), options_(std::move(options)) {
  nav_ = {{"/", "Home", "home"}, {"/ports", "Ports", "port"}, {"/search", "Search", "search"}};
  add_page_routes();
  add_api_routes();
  add_service_routes();
}

page_context website::context_of(const request& req) const {
  page_context ctx;
  ctx.host = host_name(req.header("host"));
  if (ctx.host.empty()) ctx.host = "localhost";
  ctx.https = req.https();
  ctx.http_port = options_.http_port;
  ctx.https_port = options_.https_port;
  ctx.probe = scan_links_;
  if (req.conn != nullptr) {
    ctx.tls = req.conn->tls;
    ctx.cert = req.conn->cert;
  }
  return ctx;
}

response website::html_page(unsigned status, const page& p) const {
  response r;
  r.status = status;
  r.body = render_layout(p, nav_);
  r.cache = cache_policy::revalidate;
  r.shareable = true;
  return r;
}

response website::error_page(unsigned status, std::string_view heading,
                             std::string_view message) const {
  response r = html_page(status, render_error_page(status, heading, message));
  r.cache = cache_policy::no_store;
  return r;
}

response website::json_error(unsigned status, std::string_view code, std::string_view message) {
  response r;
  r.status = status;
  r.content_type = json_type;
  r.body =
      common::json_text(boost::json::object{{"error", {{"code", code}, {"message", message}}}}) +
      "\n";
  return r;
}

response website::redirect(unsigned status, std::string location) {
  response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "See " + location + "\n";
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

namespace {

// A port number written otherwise than plainly ("080", "00443"): the page's one address.
bool written_plainly(std::string_view text, std::uint16_t port) {
  return text == std::to_string(port);
}

}  // namespace

void website::add_page_routes() {
  router_.add(method::get, "/", [this](const request&, const route_params&) {
    return html_page(200, render_home_page(db_, options_.popular, scan_links_));
  });
  router_.add(method::get, "/port/{n}", [this](const request& req, const route_params& p) {
    auto port = port_of(p[0]);
    if (!port) {
      return error_page(
          404, "No such port",
          fmt::format("\u201c{}\u201d is not a port: ports are numbered 0 to 65535.", p[0]));
    }
    if (!written_plainly(p[0], *port)) return redirect(301, fmt::format("/port/{}", *port));
    return html_page(200, render_port_page(db_, db_.lookup(*port), context_of(req)));
  });
  router_.add(method::get, "/ports", [this](const request&, const route_params&) {
    return html_page(200, render_port_list_page(db_));
  });
  router_.add(method::get, "/port", [this](const request& req, const route_params&) {
    auto raw = query_param(req.query, "n");
    auto text = raw ? decode_query_value(*raw) : std::nullopt;
    std::string_view asked = text ? common::trim(*text) : std::string_view{};
    if (auto port = port_of(asked)) return redirect(302, fmt::format("/port/{}", *port));
    // "ssh", "22/tcp", "port 80": the jump box's text is a search, which finds the port. A
    // number too large is simply no port.
    const bool digits_only =
        std::all_of(asked.begin(), asked.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!asked.empty() && !digits_only && asked.size() <= db::search_index::max_query_bytes) {
      return redirect(302, "/search?q=" + encode_query_value(asked));
    }
    return error_page(400, "Not a port number",
                      "Enter a whole number from 0 to 65535, for example 443, or a service "
                      "name such as ssh.");
  });
  router_.add(method::get, "/search", [this](const request& req, const route_params&) {
    auto raw = query_param(req.query, "q");
    auto query = raw ? decode_query_value(*raw) : std::optional<std::string>("");
    if (!query) return error_page(400, "Bad search", "The search text was not encoded properly.");
    std::string q = common::squash_spaces(common::trim(*query));
    std::vector<db::search_hit> hits;
    std::vector<db::respelling> respelled;
    if (!q.empty()) hits = search_.search(q, search_page_results, &respelled);
    return html_page(200, render_search_page(db_, q, hits, respelled));
  });
}

void website::add_api_routes() {
  router_.add(method::get, "/api/v1/ports/{n}", [this](const request&, const route_params& p) {
    auto port = port_of(p[0]);
    if (!port) return json_error(400, "bad_port", "port must be 0-65535");
    if (!written_plainly(p[0], *port)) {
      return redirect(301, fmt::format("/api/v1/ports/{}", *port));
    }
    response r;
    r.content_type = json_type;
    r.body = common::json_text(db::port_to_json(db_, db_.lookup(*port))) + "\n";
    r.cache = cache_policy::revalidate;
    r.shareable = true;
    return r;
  });
  router_.add(method::get, "/api/v1/ports", [this](const request&, const route_params&) {
    response r;
    r.content_type = json_type;
    r.body = common::json_text(db::entries_to_json(db_)) + "\n";
    r.cache = cache_policy::revalidate;
    r.shareable = true;
    return r;
  });
  router_.add(method::get, "/api/v1/search", [this](const request& req, const route_params&) {
    auto raw = query_param(req.query, "q");
    auto query = raw ? decode_query_value(*raw) : std::nullopt;
    if (raw && !query) {
      return json_error(400, "bad_query",
                        "the search text is not properly percent-encoded (as ?q=remote%20desktop)");
    }
    std::string q = query ? common::squash_spaces(common::trim(*query)) : std::string{};
    if (q.empty()) return json_error(400, "missing_query", "give a search text as ?q=");
    std::size_t limit = 20;
    if (auto l = query_param(req.query, "limit")) {
      auto n = common::parse_port_number(*l);
      if (!n || *n < 1 || *n > 1000) return json_error(400, "bad_limit", "limit must be 1-1000");
      limit = *n;
    }
    response r;
    r.content_type = json_type;
    std::vector<db::respelling> respelled;
    auto hits = search_.search(q, limit, &respelled);
    r.body = common::json_text(db::search_to_json(db_, q, hits, respelled)) + "\n";
    r.cache = cache_policy::revalidate;
    r.shareable = true;
    return r;
  });
}

void website::add_service_routes() {
  router_.add(method::get, "/healthz", [](const request&, const route_params&) {
    response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok\n";
    return r;
  });
  // Refused as if it were not there: a scraper that is not allowed learns nothing. Behind a
  // trusted proxy the client it names asks; a proxy's own request (a scraper beside it) is
  // its own.
  router_.add(method::get, "/metrics", [this](const request& req, const route_params&) {
    if (!options_.metrics_from.empty() &&
        !options_.metrics_from.contains(http::asking_address(req))) {
      return not_found(req);
    }
    response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = options_.metrics_text ? options_.metrics_text() : std::string{};
    return r;
  });
  router_.add(method::get, "/static/{file}", [this](const request& req, const route_params& p) {
    const static_asset* a = find_asset(p[0]);
    if (a == nullptr) return not_found(req);
    response r;
    r.content_type = a->content_type;
    r.body = std::string(a->data);
    r.cache = cache_policy::immutable;
    r.shareable = true;
    return r;
  });
}

// "/port/22/" is "/port/22": where the path without its last slash is a page, that is the
// address (a path that would then start with "//" is another host's, and never redirected).
std::optional<std::string> website::without_trailing_slash(const request& req) const {
  // Only reads: a browser would resend a redirected POST as a GET, and lose the form.
  if (req.verb != method::get && req.verb != method::head) return std::nullopt;
  std::string_view path = req.path;
  if (path.size() < 2 || !path.ends_with('/') || path.starts_with("//")) return std::nullopt;
  path.remove_suffix(1);
  if (path.ends_with('/') || router_.match(req.verb, path).found == nullptr) return std::nullopt;
  std::string to(path);
  if (!req.query.empty()) to.append("?").append(req.query);
  return to;
}

response website::not_found(const request& req) const {
  if (req.path.starts_with("/api/")) {
    return json_error(404, "not_found", "no such API path: breakwater's docs/api.md lists them");
  }
  return error_page(404, "Page not found",
                    "There is no page at this address. Ports live at /port/N, N from 0 to 65535.");
}

response website::not_allowed(const request& req, const std::string& allow) const {
  response r = req.path.starts_with("/api/")
                   ? json_error(405, "method_not_allowed", "this path allows " + allow)
                   : error_page(405, "Method not allowed", "This address answers " + allow + ".");
  r.headers.emplace_back("Allow", allow);
  return r;
}

handled website::handle(const request& req) const {
  handled h;
  if (req.verb == method::options && options_.origins.dual() && cors_path(req.path)) {
    h.res = preflight_answer(req, options_.origins);
    return h;
  }
  http::route_match m = router_.match(req.verb, req.path);
  if (m.found == nullptr && m.allow.empty()) {
    if (auto to = without_trailing_slash(req)) {
      h.res = redirect(301, std::move(*to));
      return h;
    }
  }
  if (m.found == nullptr) {
    h.res = m.allow.empty() ? not_found(req) : not_allowed(req, m.allow);
  } else {
    h = {m.found->handle(req, m.params), m.found->id};
  }
  // Another site's page may not embed API answers (no-cors reads of JSON, timing).
  if (req.path.starts_with("/api/")) {
    h.res.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  }
  add_cors_headers(req, options_.origins, h.res);
  return h;
}

}  // namespace breakwater::site
