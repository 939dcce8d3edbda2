// Form protection for the scan pages: tokens bound to the visitor's address and a time window
// (HMAC-SHA256 with a per-process secret), and the same-origin check on POSTs.
#pragma once

#include "site/http_names.hpp"
#include "site/origins.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace breakwater::site {

class csrf_guard {
 public:
  // A fresh random secret: tokens die with the process, which is fine (forms are short-lived).
  explicit csrf_guard(std::chrono::seconds window = std::chrono::hours(1));
  // A given secret, for tests.
  csrf_guard(std::string secret, std::chrono::seconds window);

  // "<window>.<hex mask><hex masked mac>", different on every call: valid for `address`
  // during this window and the next one.
  std::string issue(std::string_view address, std::chrono::system_clock::time_point now) const;
  bool check(std::string_view token, std::string_view address,
             std::chrono::system_clock::time_point now) const;

 private:
  std::string mac(std::string_view address, std::uint64_t window) const;
  std::uint64_t window_of(std::chrono::system_clock::time_point now) const;

  std::string secret_;
  std::chrono::seconds window_;
};

// False when the request says it comes from another site: an Origin header naming neither
// the request's Host nor a configured server name, "Origin: null" without "Sec-Fetch-Site:
// same-origin", or Sec-Fetch-Site "cross-site" / "same-site". Requests without either
// header (curl, old browsers) pass; a form's token still has to match. With sibling origins
// configured, a page of this site on another of its origins (is_site_origin) passes too,
// whatever Sec-Fetch-Site says: that is how the dual-stack page calls each family's API.
bool same_origin(const request& req, const sibling_origins& siblings = {}) noexcept;

}  // namespace breakwater::site
