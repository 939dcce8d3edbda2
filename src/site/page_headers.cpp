// /headers: the request headers this server received, and what each tells every site.
#include "common/text.hpp"
#include "site/page_scan.hpp"

#include <fmt/format.h>

#include <array>

namespace breakwater::site {
namespace {

struct header_note {
  std::string_view name;
  std::string_view reveals;
};

constexpr std::array<header_note, 16> notes{{
    {"user-agent",
     "Your browser, its version and your operating system; with other headers it "
     "helps to tell you apart from other visitors (fingerprinting)."},
    {"accept-language", "The languages you prefer, in order: a strong hint at where you live."},
    {"accept", "The kinds of content your browser takes; differs between browsers and versions."},
    {"accept-encoding", "The compression methods your browser understands."},
    {"dnt",
     "\u201cDo Not Track\u201d: a request not to be tracked, which sites may ignore. Few "
     "people send it, so it also makes you easier to recognise."},
    {"sec-gpc",
     "Global Privacy Control: a request, legally binding in some places, not to sell "
     "or share your data."},
    {"referer", "The page you came from. This site asks browsers not to send it onwards."},
    {"cookie",
     "Cookies this site set earlier: they recognise you between visits. This site sets "
     "none, so another program or extension added these."},
    {"via", "A proxy on the way announced itself."},
    {"sec-ch-ua", "Client hints: your browser's brand and version, sent on its own."},
    {"sec-ch-ua-platform", "Client hints: your operating system."},
    {"sec-ch-ua-mobile", "Client hints: whether this is a phone."},
    {"sec-fetch-site",
     "Where the request came from (this site, another site, or typed by you); "
     "it protects forms like ours from other sites."},
    {"upgrade-insecure-requests", "Your browser prefers HTTPS when it is offered."},
    {"host", "The name you used to reach this server."},
    {"connection", "Whether your browser keeps the connection open for more requests."},
}};

std::string_view note_for(std::string_view name) {
  for (const header_note& n : notes) {
    if (common::iequals(n.name, name)) return n.reveals;
  }
  return {};
}

// Never shown: credentials, and what proxies (ours or the visitor's) add about addresses;
// behind our own proxy these would show the visitor's address chain to anyone who can
// make them load this page.
bool hidden(std::string_view name, std::span<const std::string> extra) {
  for (std::string_view h : {"authorization", "proxy-authorization", "forwarded", "x-real-ip"}) {
    if (common::iequals(name, h)) return true;
  }
  if (name.size() >= 12 && common::iequals(name.substr(0, 12), "x-forwarded-")) return true;
  for (const std::string& h : extra) {
    if (common::iequals(name, h)) return true;
  }
  return false;
}

}  // namespace

page render_headers_page(std::span<const header_view> headers,
                         std::span<const std::string> hidden_headers) {
  html h;
  h.raw("<h1>Your browser's headers</h1><p class=\"summary\">");
  h.text(
      "Every time your browser asks for a page, it sends these lines along with the "
      "request, to every site. This is exactly what this server received, in order.");
  h.raw("</p><div class=\"table-wrap\"><table id=\"headers\"><thead><tr><th>Header</th>")
      .raw("<th>Value</th><th>What it reveals</th></tr></thead><tbody>");
  bool cookie = false;
  std::size_t withheld = 0;
  for (const header_view& hv : headers) {
    if (hidden(hv.name, hidden_headers)) {
      ++withheld;
      continue;
    }
    bool is_cookie = common::iequals(hv.name, "cookie");
    cookie = cookie || is_cookie;
    h.raw("<tr><th scope=\"row\">").text(hv.name).raw("</th><td class=\"value\">");
    // Cookie values may be secrets: show that they were sent, not what they are.
    h.text(is_cookie ? fmt::format("({} bytes, not shown)", hv.value.size()) : hv.value);
    h.raw("</td><td>").text(note_for(hv.name)).raw("</td></tr>");
  }
  h.raw("</tbody></table></div>");
  if (withheld > 0) {
    h.el("p", fmt::format("{} more header{} not shown: credentials (Authorization) and the "
                          "address headers that proxies add are never displayed.",
                          withheld, withheld == 1 ? " is" : "s are"));
  }
  h.raw("<h2>What was not sent</h2><ul>");
  if (!cookie) h.el("li", "No cookies: nothing here can recognise you between visits.");
  for (std::string_view name : {"dnt", "sec-gpc", "referer"}) {
    bool sent = false;
    for (const header_view& hv : headers) sent = sent || common::iequals(hv.name, name);
    if (!sent) h.el("li", fmt::format("No {} header.", name));
  }
  h.raw("</ul><p>")
      .text(
          "Your address is not a header: it comes from the connection itself. "
          "The scan tests probe exactly that address.");
  h.raw(" <a href=\"/scan\">Run a test</a></p>");
  return {"Browser headers", "scan", {}, h.take()};
}

}  // namespace breakwater::site
