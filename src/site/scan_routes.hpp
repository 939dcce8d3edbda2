// The scan service's web pages: /scan (choose), /scan/confirm, POST /scan, /scan/{id} (live
// result), POST /scan/{id}/cancel, /port/{n}/probe (confirm a single-port probe), /headers.
#pragma once

#include "db/database.hpp"
#include "scan/service.hpp"
#include "site/csrf.hpp"
#include "site/site.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace breakwater::site {

struct scan_page_options {
  std::chrono::minutes retention{30};  // said on the confirm page, before a scan exists
  std::function<std::chrono::system_clock::time_point()> clock;  // default: system_clock::now
  std::shared_ptr<const csrf_guard> guard;  // default: one with a fresh random secret
  std::vector<std::string> hidden_headers;  // /headers never shows these (nor credentials)
};

// Adds the routes, the "Scan" navigation entry and the probe control on /port/N.
void add_scan_page_routes(website& s, scan::service& service, const db::database& db,
                          scan_page_options options = {});

}  // namespace breakwater::site
