// The home page and the search results page.
#include "scan/scan_view.hpp"
#include "site/html.hpp"
#include "site/page_forms.hpp"
#include "site/pages.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

void scan_tests(html& h) {
  h.raw("<h2>Test your connection</h2><p>")
      .text(
          "See what the internet sees of your connection: this server probes your own "
          "address and explains what answered.")
      .raw("</p><ul class=\"tests\" id=\"home-tests\">");
  for (scan::scan_kind k : {scan::scan_kind::common, scan::scan_kind::service,
                            scan::scan_kind::file_sharing, scan::scan_kind::full,
                            scan::scan_kind::ping, scan::scan_kind::upnp, scan::scan_kind::udp}) {
    h.raw("<li><a href=\"/scan/confirm?kind=").text(scan::to_string(k)).raw("\">");
    h.text(scan::title_of(k)).raw("</a></li>");
  }
  h.raw("<li><a href=\"/reach\">Does my port forward reach this machine?</a></li>");
  h.raw("<li><a href=\"/headers\">Browser headers</a></li>");
  h.raw("<li><a href=\"/scan\">All tests, and ports of your choice</a></li></ul>");
}

}  // namespace

page render_home_page(const db::database& db, std::span<const std::uint16_t> popular,
                      bool scan_links) {
  html h;
  h.raw("<h1>What is this port for?</h1><p class=\"summary\">")
      .text(
          "breakwater describes every TCP and UDP port from 0 to 65535: what IANA registered "
          "it for, what really listens there, and why exposing it to the internet matters.")
      .raw("</p>");
  if (scan_links) scan_tests(h);
  h.raw("<h2>Look up a port</h2>");
  port_form(h, std::nullopt, "home-port");
  h.raw("<h2>Search</h2>");
  search_form(h, {}, "home-search");
  h.raw("<h2>Most-asked ports</h2><ul class=\"popular\">");
  for (std::uint16_t port : popular) {
    h.raw("<li><a href=\"/port/").number(port).raw("\"><b>").number(port).raw("</b> ");
    h.text(db.name_of(port)).raw("</a></li>");
  }
  h.raw("</ul><h2>About</h2><p>")
      .text("Every page is also available as JSON (see /api/v1/ports/N), and over HTTPS.")
      .raw("</p>");
  return {"Port Authority", "home", {}, h.take()};
}

page render_search_page(const db::database& db, std::string_view query,
                        std::span<const db::search_hit> hits,
                        std::span<const db::respelling> respelled) {
  html h;
  h.raw("<h1>Search ports</h1>");
  search_form(h, query, "search-box");
  if (!query.empty()) {
    // At the cap there may be more: say these are the best ones, not all.
    const bool capped = hits.size() >= search_page_results;
    h.raw("<h2>").text(fmt::format("{}{} result{} for \u201c{}\u201d", capped ? "The first " : "",
                                   hits.size(), hits.size() == 1 ? "" : "s", query));
    h.raw("</h2>");
    for (const db::respelling& r : respelled) {
      h.raw("<p class=\"respelled\">\u201c").text(r.asked);
      h.raw("\u201d matched nothing; searched for \u201c").text(r.used).raw("\u201d instead.</p>");
    }
    if (hits.empty()) {
      h.el("p", "Nothing matched. Try a service name (ssh), a word (printer) or a port (8080).");
    }
    h.raw("<ol class=\"results\">");
    for (const db::search_hit& hit : hits) {
      h.raw("<li>");
      if (hit.range != nullptr) {
        // A range note is shown on the page of each of its ports; its first one stands in.
        const db::range_note& r = *hit.range;
        h.raw("<a href=\"/port/").number(r.lo).raw("#range-").text(r.id).raw("\">");
        h.number(r.lo).raw("-").number(r.hi).raw(" ").text(r.title).raw("</a>: ").text(r.summary);
      } else if (hit.unported != nullptr) {
        const db::iana_row& r = *hit.unported;
        h.raw("<b>").text(r.service).raw("</b>: ").text(r.description);
        h.text(r.proto ? fmt::format(" (registered without a port, {})", db::to_string(*r.proto))
                       : std::string(" (registered without a port)"));
      } else {
        const db::entry* e = db.find_entry(hit.port);
        h.raw("<a href=\"/port/").number(hit.port).raw("\">").number(hit.port);
        std::string_view name = db.name_of(hit.port);
        if (!name.empty()) h.raw(" ").text(name);
        h.raw("</a>");
        if (e != nullptr) h.raw(": ").text(e->summary);
      }
      h.raw(" <span class=\"muted\">(matched ").text(hit.why).raw(")</span></li>");
    }
    h.raw("</ol>");
  }
  std::string title = query.empty() ? "Search" : fmt::format("Search: {}", query);
  return {std::move(title), "search", {}, h.take()};
}

page render_error_page(unsigned status, std::string_view heading, std::string_view message) {
  html h;
  h.raw("<h1>").text(heading).raw("</h1><p class=\"summary\">").text(message).raw("</p>");
  h.raw("<h2>Look up a port</h2>");
  port_form(h, std::nullopt, "error-port");
  h.raw("<h2>Search</h2>");
  search_form(h, {}, "error-search");
  h.raw("<p><a href=\"/\">Back to the home page</a></p>");
  return {fmt::format("{} {}", status, heading), "error", {}, h.take()};
}

}  // namespace breakwater::site
