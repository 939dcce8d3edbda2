#include "app/api_error.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace breakwater::app {

std::string api_error_text(const http::client_response& res) {
  namespace json = boost::json;
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  if (!ec && v.is_object()) {
    if (const json::value* e = v.as_object().if_contains("error"); e && e->is_object()) {
      if (const json::value* m = e->as_object().if_contains("message"); m && m->is_string())
        return fmt::format("{} ({})", std::string(m->as_string()), res.status);
    }
  }
  return fmt::format("the server answered {}", res.status);
}

}  // namespace breakwater::app
