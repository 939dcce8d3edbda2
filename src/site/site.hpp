// The website and API over the port database: its routes, navigation and page frame.
// A feature adds itself with add_routes-style code that calls routes() and add_nav().
#pragma once

#include "common/cidr.hpp"
#include "db/database.hpp"
#include "db/search_index.hpp"
#include "http/handler.hpp"
#include "http/router.hpp"
#include "site/http_names.hpp"
#include "site/layout.hpp"
#include "site/origins.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace breakwater::site {

struct site_options {
  std::optional<std::uint16_t> http_port;  // for links between the schemes
  std::optional<std::uint16_t> https_port;
  std::vector<std::uint16_t> popular{21,  22,  23,  25,  53,   80,   110,  123,  135,  139,
                                     143, 443, 445, 993, 1900, 3306, 3389, 5060, 5900, 8080};
  std::function<std::string()> metrics_text;  // the body of /metrics
  common::cidr_list metrics_from;             // who may read it (client addresses); empty: anyone
  // This server under an IPv4-only and an IPv6-only name: both set, the scan pages test both
  // families, and those origins' pages may call the scan API (CORS).
  sibling_origins origins;
};

class website final : public http::handler {
 public:
  website(const db::database& db, const db::search_index& search, site_options options);

  handled handle(const request& req) const override;

  router& routes() noexcept { return router_; }
  const router& routes() const noexcept { return router_; }
  void add_nav(nav_link link) { nav_.push_back(std::move(link)); }
  // The scan service is wired in: /port/N gets a working probe control, the home page links
  // the tests.
  void enable_scan_links() noexcept { scan_links_ = true; }
  const sibling_origins& origins() const noexcept { return options_.origins; }

  // Helpers for handlers: a page in the site's frame, and the standard error answers.
  response html_page(unsigned status, const page& p) const;
  response error_page(unsigned status, std::string_view heading,
                      std::string_view message) const override;
  static response json_error(unsigned status, std::string_view code, std::string_view message);
  // A redirect (301, 302, 303) to `location`, with a short text body for clients that show it.
  static response redirect(unsigned status, std::string location);
  page_context context_of(const request& req) const;

 private:
  void add_page_routes();
  void add_api_routes();
  void add_service_routes();
  response not_found(const request& req) const;
  std::optional<std::string> without_trailing_slash(const request& req) const;
  response not_allowed(const request& req, const std::string& allow) const;

  const db::database& db_;
  const db::search_index& search_;
  site_options options_;
  router router_;
  std::vector<nav_link> nav_;
  bool scan_links_ = false;
};

}  // namespace breakwater::site
