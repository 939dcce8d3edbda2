#include "site/layout.hpp"

#include "site/assets.hpp"
#include "site/html.hpp"

namespace breakwater::site {

std::string page_context::other_scheme_url(std::string_view path) const {
  std::optional<std::uint16_t> port = https ? http_port : https_port;
  if (!port || host.empty()) return {};
  std::string_view scheme = https ? "http" : "https";
  std::uint16_t usual = https ? 80 : 443;
  bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  std::string p = *port == usual ? std::string{} : ":" + std::to_string(*port);
  return std::string(scheme) + "://" + h + p + std::string(path);
}

std::string render_layout(const page& p, std::span<const nav_link> nav) {
  html h;
  h.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
      .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
      .raw("<title>")
      .text(p.title)
      .raw(" · breakwater</title>")
      .raw("<link rel=\"icon\" type=\"image/svg+xml\" href=\"")
      .text(asset_url("favicon.svg"))
      .raw("\"><link rel=\"stylesheet\" href=\"")
      .text(asset_url("site.css"))
      .raw("\"><script src=\"")
      .text(asset_url("site.js"))
      .raw("\" defer></script>")
      .raw(p.head)
      .raw("</head><body><a class=\"skip\" href=\"#main\">Skip to content</a>")
      .raw("<header class=\"site\"><div class=\"inner\"><a class=\"brand\" href=\"/\">breakwater")
      .raw(" <span>Port Authority</span></a><nav aria-label=\"Site\">");
  for (const nav_link& link : nav) {
    h.raw("<a href=\"").text(link.href).raw("\"");
    // The link of the page's section: "true" (the current one of the set), not "page", since
    // the link need not lead to this very page (Ports leads to the list from every port page).
    if (link.section == p.section) h.raw(" aria-current=\"true\"");
    h.raw(">").text(link.label).raw("</a>");
  }
  h.raw("</nav></div></header><main id=\"main\" class=\"inner\">")
      .raw(p.body)
      .raw("</main><footer class=\"inner\"><p>breakwater: IANA's port registry and our own notes ")
      .raw("on what listens where. The JSON API is at <a href=\"/api/v1/ports/443\">")
      .raw("/api/v1/ports/N</a>.</p></footer></body></html>\n");
  return h.take();
}

}  // namespace breakwater::site
