// The page frame shared by every HTML page: head, site header with navigation, footer.
#pragma once

#include "site/http_names.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace breakwater::site {

// A site-wide navigation entry; features add theirs (e.g. the scan service) in site.cpp.
struct nav_link {
  std::string href;
  std::string label;
  std::string section;  // pages of this section mark the link as current
};

// What a page may say about how it was reached.
struct page_context {
  std::string host;  // the name the client used (from Host, checked), without port
  bool https = false;
  std::optional<std::uint16_t> http_port;   // where the same page is served over HTTP
  std::optional<std::uint16_t> https_port;  // ... and over HTTPS
  const tls_info* tls = nullptr;
  const cert_info* cert = nullptr;
  bool probe = false;  // the scan service runs: /port/N offers "probe this port"

  // "https://host:8443/port/443" for the other scheme, or empty when it is not served.
  std::string other_scheme_url(std::string_view path) const;
};

struct page {
  std::string title;    // in <title>, after the site name
  std::string section;  // "port", "search", "home", "error"
  std::string head;     // extra <head> markup (rel=prev/next links), already HTML
  std::string body;     // the <main> content, already HTML
};

std::string render_layout(const page& p, std::span<const nav_link> nav);

}  // namespace breakwater::site
