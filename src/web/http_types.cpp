#include "web/http_types.hpp"

#include "db/text.hpp"

namespace breakwater::web {

method parse_method(std::string_view text) noexcept {
  if (text == "GET") return method::get;
  if (text == "HEAD") return method::head;
  if (text == "POST") return method::post;
  if (text == "PUT") return method::put;
  if (text == "DELETE") return method::del;
  if (text == "OPTIONS") return method::options;
  return method::other;
}

std::string_view to_string(method m) noexcept {
  switch (m) {
    case method::get: return "GET";
    case method::head: return "HEAD";
    case method::post: return "POST";
    case method::put: return "PUT";
    case method::del: return "DELETE";
    case method::options: return "OPTIONS";
    case method::other: return "OTHER";
  }
  return "OTHER";
}

std::string_view request::header(std::string_view name) const noexcept {
  for (const header_view& h : headers) {
    if (db::iequals(h.name, name)) return h.value;
  }
  return {};
}

}  // namespace breakwater::web
