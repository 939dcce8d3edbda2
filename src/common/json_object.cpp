#include "common/json_object.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace breakwater::common {
namespace {

namespace json = boost::json;

// Keys held by the objects of `v`, at every depth. Depth is bounded by the parser's limit.
std::size_t keys_held(const json::value& v) {
  std::size_t n = 0;
  if (const json::object* o = v.if_object()) {
    n += o->size();
    for (const auto& [key, value] : *o) n += keys_held(value);
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) n += keys_held(e);
  }
  return n;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

// In valid JSON a string followed by ':' is a key, and nothing else is.
std::size_t keys_spelled(std::string_view text) noexcept {
  std::size_t keys = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '"') continue;
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\') ++i;  // the escaped character, whatever it is
    }
    std::size_t next = i + 1;
    while (next < text.size() && is_space(text[next])) ++next;
    if (next < text.size() && text[next] == ':') ++keys;
  }
  return keys;
}

boost::system::result<json::object, std::string> parse_json_object(std::string_view text,
                                                                   std::string_view shape) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fmt::format("the body must be a JSON object such as {}", shape);
  if (keys_held(v) != keys_spelled(text)) {
    return fmt::format("the body gives a key more than once: give each once, as in {}", shape);
  }
  return std::move(v.as_object());
}

}  // namespace breakwater::common
