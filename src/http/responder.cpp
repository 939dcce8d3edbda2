#include "http/responder.hpp"

#include "http/etag.hpp"
#include "http/gzip.hpp"
#include "http/host_rules.hpp"

#include <fmt/format.h>

#include <ctime>

namespace breakwater::http {
namespace {

// Inline script is forbidden: pages load only our own stylesheet and script, and scripts
// talk only to this server (the scan page's event stream) unless a handler names more.
constexpr std::string_view csp_before_connect =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";
constexpr std::string_view csp_after_connect =
    "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
constexpr std::string_view security_headers =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n";
constexpr std::string_view hsts = "Strict-Transport-Security: max-age=31536000\r\n";

bool sets_csp(const stored_response& s) noexcept {
  for (const auto& h : s.headers) {
    if (h.first == "Content-Security-Policy") return true;
  }
  return false;
}

// The default policy unless the handler set its own, then the other security headers.
void append_security_headers(std::string& head, const stored_response& s) {
  if (!sets_csp(s)) {
    head.append("Content-Security-Policy: ")
        .append(csp_before_connect)
        .append(csp_after_connect)
        .append("\r\n");
  }
  head.append(security_headers);
}

std::string_view reason(unsigned status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Unknown";
}

std::string_view cache_control(cache_policy c) noexcept {
  switch (c) {
    case cache_policy::no_store: return "no-store";
    case cache_policy::revalidate: return "no-cache";
    case cache_policy::immutable: return "public, max-age=31536000, immutable";
  }
  return "no-store";
}

void append_cache_key(std::string& key, const request& req) {
  key.clear();
  if (req.https() && req.conn->tls != nullptr) {
    const tls_info& t = *req.conn->tls;
    key.append("s|").append(t.version).append("|").append(t.cipher).append("|");
    key.append(t.alpn).append("|").append(t.sni).append("|");
    // Pages show the certificate too, which a reload (SIGHUP) changes for new connections.
    if (req.conn->cert != nullptr) key.append(req.conn->cert->sha256).append("|");
  } else {
    key.append(req.https() ? "s||||" : "h|");
  }
  key.append(req.header("host")).append("|").append(req.target);
}

void append_header(std::string& head, std::string_view name, std::string_view value) {
  head.append(name).append(": ").append(value).append("\r\n");
}

std::size_t cost_of(const std::string& key, const stored_response& s) {
  return key.size() + s.body.size() + s.gzip_body.size();
}

}  // namespace

std::string content_security_policy(std::string_view extra_connect_src) {
  std::string out(csp_before_connect);
  if (!extra_connect_src.empty()) out.append(" ").append(extra_connect_src);
  return out.append(csp_after_connect);
}

std::string_view http_date() {
  thread_local std::time_t last = 0;
  thread_local char text[64] = {};
  std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    last = now;
  }
  return text;
}

std::shared_ptr<const stored_response> responder::store(handled h, bool compress) {
  auto s = std::make_shared<stored_response>();
  s->status = h.res.status;
  s->content_type = h.res.content_type;
  s->body = std::move(h.res.body);
  s->headers = std::move(h.res.headers);
  s->cache = h.res.cache;
  s->route = h.route;
  if (h.res.later) {
    s->later = std::move(h.res.later);
    s->stream = h.res.stream;
    s->heartbeat = std::move(h.res.heartbeat);
    s->heartbeat_every = h.res.heartbeat_every;
    s->wait_limit = h.res.wait_limit;
    s->cache = cache_policy::no_store;
    return s;
  }
  if (compress && compressible(s->content_type, s->body.size())) {
    s->gzip_body = gzip_compress(s->body);
  }
  if (s->cache != cache_policy::no_store) {
    s->etag = make_etag(s->body);
    if (!s->gzip_body.empty()) s->gzip_etag = make_etag(s->body, "-gz");
  }
  return s;
}

std::shared_ptr<const stored_response> responder::lookup_or_render(const request& req) {
  append_cache_key(key_, req);
  if (auto it = cache_.find(std::string_view(key_)); it != cache_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.position);
    return it->second.value;
  }
  handled h = handler_.handle(req);
  // Error answers are not kept: any number of bad paths would otherwise push out the pages.
  bool keep_it = h.res.shareable && !h.res.later && h.res.status < 400 && capacity_ > 0;
  bool gzip_now = keep_it || accepts_gzip(req.header("accept-encoding"));
  auto s = store(std::move(h), gzip_now);
  if (keep_it) keep(s);
  return s;
}

void responder::keep(std::shared_ptr<const stored_response> s) {
  std::size_t cost = cost_of(key_, *s);
  if (cost > byte_budget_ / 4) return;  // one answer may not take most of the cache
  lru_.push_front(key_);
  cache_.emplace(key_, cache_entry{std::move(s), lru_.begin()});
  bytes_ += cost;
  while (!lru_.empty() && (cache_.size() > capacity_ || bytes_ > byte_budget_)) evict_oldest();
}

void responder::evict_oldest() {
  auto it = cache_.find(std::string_view(lru_.back()));
  bytes_ -= cost_of(it->first, *it->second.value);
  cache_.erase(it);
  lru_.pop_back();
}

reply responder::respond(const request& req, bool keep_alive, std::string& head) {
  if (req.conn != nullptr && req.conn->hosts != nullptr) {
    if (unsigned status = req.conn->hosts->check(req))
      return respond_error(status, req.https(), head);
  }
  std::shared_ptr<const stored_response> s;
  if (req.verb == method::get || req.verb == method::head) {
    s = lookup_or_render(req);
  } else {
    s = store(handler_.handle(req), accepts_gzip(req.header("accept-encoding")));
  }
  return finish(&req, std::move(s), keep_alive, req.https(), head);
}

reply responder::respond_error(unsigned status, bool https, std::string& head) {
  std::string_view heading = status == 408   ? "Request timeout"
                             : status == 421 ? "Wrong server name"
                             : status == 413 ? "Request body too large"
                             : status == 431 ? "Request headers too large"
                             : status == 503 ? "Server busy"
                                             : "Bad request";
  std::string_view message =
      status == 408   ? "The request did not arrive in time; the connection was closed."
      : status == 421 ? "This server does not answer to that name. Use its address or one of the "
                        "names its operator configured (server_names)."
      : status == 413 ? "The request body is larger than this server accepts."
      : status == 431 ? "The request line or headers are larger than this server accepts."
      : status == 503 ? "Too many connections are open right now. Please try again shortly."
                      : "The request could not be understood.";
  handled h{handler_.error_page(status, heading, message)};
  if (status == 503) h.res.headers.emplace_back("Retry-After", "5");
  return finish(nullptr, store(std::move(h), false), false, https, head);
}

reply responder::complete(const request& req, response res, std::size_t route, bool keep_alive,
                          std::string& head) {
  res.later.reset();
  res.shareable = false;
  bool gzip = accepts_gzip(req.header("accept-encoding"));
  return finish(&req, store(handled{std::move(res), route}, gzip), keep_alive, req.https(), head);
}

// The head of a streamed answer: no length (the body ends when the connection closes).
reply responder::stream_head(const request* req, std::shared_ptr<const stored_response> s,
                             bool https, std::string& head) {
  head.clear();
  fmt::format_to(std::back_inserter(head), "HTTP/1.1 {} {}\r\n", s->status, reason(s->status));
  append_header(head, "Date", http_date());
  head.append("Server: breakwater\r\n");
  append_header(head, "Content-Type", s->content_type);
  append_header(head, "Cache-Control", cache_control(cache_policy::no_store));
  head.append("X-Accel-Buffering: no\r\n");  // nginx in front must not hold events back
  append_security_headers(head, *s);
  if (https) head.append(hsts);
  for (const auto& [name, value] : s->headers) append_header(head, name, value);
  head.append("Connection: close\r\n\r\n");
  reply r;
  r.status = s->status;
  r.route = s->route;
  (void)req;
  r.stored = std::move(s);
  return r;
}

reply responder::finish(const request* req, std::shared_ptr<const stored_response> s,
                        bool keep_alive, bool https, std::string& head) {
  if (s->later) {
    if (s->stream) return stream_head(req, std::move(s), https, head);
    head.clear();  // the head is written when the answer arrives (complete())
    reply r;
    r.status = s->status;
    r.route = s->route;
    r.stored = std::move(s);
    return r;
  }
  bool gz = req != nullptr && !s->gzip_body.empty() && accepts_gzip(req->header("accept-encoding"));
  const std::string& body = gz ? s->gzip_body : s->body;
  const std::string& etag = gz ? s->gzip_etag : s->etag;
  unsigned status = s->status;
  if (req != nullptr && status == 200 && !etag.empty() &&
      etag_matches(req->header("if-none-match"), etag)) {
    status = 304;
  }
  head.clear();
  fmt::format_to(std::back_inserter(head), "HTTP/1.1 {} {}\r\n", status, reason(status));
  append_header(head, "Date", http_date());
  head.append("Server: breakwater\r\n");
  if (status != 304) {
    append_header(head, "Content-Type", s->content_type);
    fmt::format_to(std::back_inserter(head), "Content-Length: {}\r\n", body.size());
    if (gz) head.append("Content-Encoding: gzip\r\n");
  }
  if (!s->gzip_body.empty()) head.append("Vary: Accept-Encoding\r\n");
  if (!etag.empty()) append_header(head, "ETag", etag);
  append_header(head, "Cache-Control", cache_control(s->cache));
  append_security_headers(head, *s);
  if (https) head.append(hsts);
  for (const auto& [name, value] : s->headers) append_header(head, name, value);
  if (!keep_alive) {
    head.append("Connection: close\r\n");
  } else if (req != nullptr && req->version == 10) {
    head.append("Connection: keep-alive\r\n");
  }
  head.append("\r\n");
  reply r;
  r.status = status;
  r.route = s->route;
  r.content_length = status == 304 ? 0 : body.size();
  bool send_body = status != 304 && (req == nullptr || req->verb != method::head);
  if (send_body) r.body = body;
  r.stored = std::move(s);
  return r;
}

}  // namespace breakwater::http
