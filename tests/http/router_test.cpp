#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace breakwater::http {
namespace {

route_handler answer(std::string body) {
  return [body](const request&, const route_params& p) {
    response r;
    r.body = body;
    for (std::size_t i = 0; i < p.count; ++i) r.body += "|" + std::string(p[i]);
    return r;
  };
}

std::string call(const router& rt, method m, std::string_view path) {
  route_match found = rt.match(m, path);
  if (found.found == nullptr) return found.allow.empty() ? "404" : "405 " + found.allow;
  return found.found->handle(request{}, found.params).body;
}

router sample() {
  router rt;
  rt.add(method::get, "/", answer("home"));
  rt.add(method::get, "/port/{n}", answer("port"));
  rt.add(method::get, "/port", answer("port-query"));
  rt.add(method::get, "/api/v1/ports/{n}", answer("api"));
  rt.add(method::post, "/api/v1/scans", answer("scan"));
  rt.add(method::get, "/api/v1/scans/{id}/events", answer("events"));
  return rt;
}

TEST(router, literal_and_captured_segments) {
  router rt = sample();
  EXPECT_EQ(call(rt, method::get, "/"), "home");
  EXPECT_EQ(call(rt, method::get, "/port/443"), "port|443");
  EXPECT_EQ(call(rt, method::get, "/port"), "port-query");
  EXPECT_EQ(call(rt, method::get, "/api/v1/ports/22"), "api|22");
  EXPECT_EQ(call(rt, method::get, "/api/v1/scans/abc/events"), "events|abc");
}

TEST(router, head_answers_through_get_routes) {
  router rt = sample();
  EXPECT_EQ(call(rt, method::head, "/port/80"), "port|80");
}

TEST(router, unknown_paths_are_not_found) {
  router rt = sample();
  EXPECT_EQ(call(rt, method::get, "/port/443/extra"), "404");
  EXPECT_EQ(call(rt, method::get, "/port/"), "404");  // an empty capture does not match
  EXPECT_EQ(call(rt, method::get, "/ports/443"), "404");
  EXPECT_EQ(call(rt, method::get, ""), "404");
  EXPECT_EQ(call(rt, method::get, "//"), "404");
  EXPECT_EQ(call(rt, method::get, "/api/v1"), "404");
}

TEST(router, wrong_method_lists_the_allowed_ones) {
  router rt = sample();
  EXPECT_EQ(call(rt, method::post, "/port/443"), "405 GET, HEAD");
  EXPECT_EQ(call(rt, method::get, "/api/v1/scans"), "405 POST");
  EXPECT_EQ(call(rt, method::post, "/api/v1/scans"), "scan");
}

TEST(router, route_ids_follow_insertion_order) {
  router rt = sample();
  EXPECT_EQ(rt.match(method::get, "/port/1").found->id, 1U);
  EXPECT_EQ(rt.match(method::get, "/port/1").found->pattern, "/port/{n}");
}

TEST(router, bad_patterns_are_programming_errors) {
  router rt = sample();
  EXPECT_THROW(rt.add(method::get, "port", answer("x")), std::invalid_argument);
  EXPECT_THROW(rt.add(method::get, "/port/{n}", answer("x")), std::invalid_argument);
  EXPECT_THROW(rt.add(method::get, "/{a}/{b}/{c}/{d}/{e}", answer("x")), std::invalid_argument);
}

}  // namespace
}  // namespace breakwater::http
