#include "http/router.hpp"

#include <stdexcept>

namespace breakwater::http {
namespace {

std::vector<std::string> split_path(std::string_view pattern) {
  if (!pattern.starts_with('/')) throw std::invalid_argument("route must start with '/'");
  std::vector<std::string> out;
  pattern.remove_prefix(1);
  while (!pattern.empty()) {
    std::size_t slash = pattern.find('/');
    out.emplace_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
    if (pattern.empty()) out.emplace_back();  // a trailing slash is its own empty segment
  }
  return out;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void router::add(method verb, std::string_view pattern, route_handler h) {
  route r;
  r.verb = verb;
  r.pattern = std::string(pattern);
  r.segments = split_path(pattern);
  std::size_t captures = 0;
  for (const std::string& s : r.segments) captures += is_capture(s) ? 1U : 0U;
  if (captures > route_params{}.values.size()) throw std::invalid_argument("too many captures");
  for (const route& other : routes_) {
    if (other.verb == verb && other.pattern == r.pattern) {
      throw std::invalid_argument("duplicate route " + r.pattern);
    }
  }
  r.handle = std::move(h);
  r.id = routes_.size();
  routes_.push_back(std::move(r));
}

bool router::match_segments(const route& r, std::string_view path, route_params& params) {
  if (!path.starts_with('/')) return false;
  path.remove_prefix(1);
  params.count = 0;
  const std::size_t n = r.segments.size();
  if (n == 0) return path.empty();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t slash = path.find('/');
    bool last = i + 1 == n;
    if (last != (slash == std::string_view::npos)) return false;  // more or fewer segments
    std::string_view segment = path.substr(0, slash);
    const std::string& want = r.segments[i];
    if (is_capture(want)) {
      if (segment.empty()) return false;
      params.values[params.count++] = segment;
    } else if (segment != want) {
      return false;
    }
    if (!last) path.remove_prefix(slash + 1);
  }
  return true;
}

route_match router::match(method verb, std::string_view path) const {
  route_match m;
  method want = verb == method::head ? method::get : verb;
  for (const route& r : routes_) {
    route_params params;
    if (!match_segments(r, path, params)) continue;
    if (r.verb == want) {
      m.found = &r;
      m.params = params;
      return m;
    }
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += to_string(r.verb);
    if (r.verb == method::get) m.allow += ", HEAD";
  }
  return m;
}

}  // namespace breakwater::http
