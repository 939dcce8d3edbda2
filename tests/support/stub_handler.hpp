// A handler for the HTTP engine's tests: a router the test fills, plain-text error pages and
// nothing else, so that engine tests need neither the site nor a port database.
#pragma once

#include "http/handler.hpp"
#include "http/router.hpp"

#include <string>
#include <string_view>

namespace breakwater::http::testing {

class stub_handler final : public handler {
 public:
  router& routes() noexcept { return router_; }

  handled handle(const request& req) const override {
    route_match m = router_.match(req.verb, req.path);
    if (m.found == nullptr) return {plain(404, "not found")};
    return {m.found->handle(req, m.params), m.found->id};
  }

  response error_page(unsigned status, std::string_view heading,
                      std::string_view message) const override {
    return plain(status, std::string(heading) + ": " + std::string(message));
  }

 private:
  static response plain(unsigned status, std::string text) {
    response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(text) + "\n";
    return r;
  }

  router router_;
};

}  // namespace breakwater::http::testing
