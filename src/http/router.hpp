// Maps a method and a path to a handler; patterns are literal segments and {name} captures.
#pragma once

#include "http/http_types.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {

struct route_params {
  std::array<std::string_view, 4> values{};  // captures in pattern order
  std::size_t count = 0;
  std::string_view operator[](std::size_t i) const noexcept { return values[i]; }
};

using route_handler = std::function<response(const request&, const route_params&)>;

struct route {
  method verb = method::get;
  std::string pattern;  // "/port/{n}"; also the route's label in logs and metrics
  std::vector<std::string> segments;
  route_handler handle;
  std::size_t id = 0;  // index in the router, for per-route counters
};

struct route_match {
  const route* found = nullptr;
  route_params params;
  // When nothing matched with this method but the path exists: the methods it allows
  // ("GET, HEAD"), for a 405 answer.
  std::string allow;
};

class router {
 public:
  // Adds a route; GET routes also answer HEAD. Patterns are checked: a programming error
  // (a bad pattern, a duplicate) throws std::invalid_argument at start-up.
  void add(method verb, std::string_view pattern, route_handler h);

  route_match match(method verb, std::string_view path) const;

  const std::vector<route>& routes() const noexcept { return routes_; }

 private:
  static bool match_segments(const route& r, std::string_view path, route_params& params);

  std::vector<route> routes_;
};

}  // namespace breakwater::http
