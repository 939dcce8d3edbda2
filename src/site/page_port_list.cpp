// /ports: every port we wrote an entry for, on one page, as GRC's Port Authority lets a reader
// browse its database: the malware ports first (what people scanning their own machine ask
// about), then the three ranges IANA divides the ports into (RFC 6335, section 6).
#include "site/html.hpp"
#include "site/pages.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace breakwater::site {
namespace {

// `with_summary` for the malware list: a port's title seldom names the malware (1022 is
// "RFC 3692-style Experiment 2"); its summary, one line, says what listened there.
void entry_item(html& h, const db::entry& e, bool with_summary = false) {
  h.raw("<li><a href=\"/port/").number(e.port).raw("\"><b>").number(e.port).raw("</b> ");
  h.text(e.title).raw("</a>");
  if (with_summary) h.raw("<span class=\"why\">").text(e.summary).raw("</span>");
  h.raw("</li>");
}

struct port_range {
  std::string_view id, title;
  unsigned lo, hi;
};

// RFC 6335, section 6: system (well-known), user (registered) and dynamic ports.
constexpr std::array<port_range, 3> ranges{{
    {"well-known", "Well-known ports (0-1023)", 0, 1023},
    {"registered", "Registered ports (1024-49151)", 1024, 49151},
    {"dynamic", "Dynamic and private ports (49152-65535)", 49152, 65535},
}};

}  // namespace

page render_port_list_page(const db::database& db) {
  html h;
  const auto entries = db.entries();
  h.raw("<h1>Every port we wrote about</h1><p class=\"summary\">");
  h.text(
      fmt::format("{} ports have an entry of ours: what uses the port, what exposing it "
                  "means, and what to do. Every other port has its page too, with what IANA "
                  "registered there and notes on its range.",
                  entries.size()));
  h.raw("</p><p>Jump to: <a href=\"#malware\">trojans, worms and backdoors</a>");
  for (const port_range& r : ranges) {
    h.raw(" · <a href=\"#").raw(r.id).raw("\">").text(r.title).raw("</a>");
  }
  h.raw("</p>");
  h.raw("<h2 id=\"malware\">Trojans, worms and backdoors</h2><p>");
  h.text(
      "Ports that malware listened on. Finding one open on your own machine does not prove an "
      "infection (other programs may use the number), but it is worth identifying what "
      "listens.");
  h.raw("</p><ul class=\"malware-list\" id=\"list-malware\">");
  for (const db::entry& e : entries) {
    if (e.malware()) entry_item(h, e, true);
  }
  h.raw("</ul>");
  for (const port_range& r : ranges) {
    h.raw("<h2 id=\"").raw(r.id).raw("\">").text(r.title).raw("</h2>");
    h.raw("<ul class=\"port-list\" id=\"list-").raw(r.id).raw("\">");
    for (const db::entry& e : entries) {
      if (e.port >= r.lo && e.port <= r.hi) entry_item(h, e);
    }
    h.raw("</ul>");
  }
  return {"Every port we wrote about", "port", {}, h.take()};
}

}  // namespace breakwater::site
