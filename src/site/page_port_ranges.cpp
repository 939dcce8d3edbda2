#include "site/page_port_ranges.hpp"

#include "site/reference_links.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

void range_note(html& h, const db::database& db, const db::range_note& r) {
  h.raw("<article class=\"range-note\" id=\"range-").text(r.id).raw("\"><h3>").text(r.title);
  h.raw(" <span class=\"muted\">(ports ").number(r.lo).raw("-").number(r.hi).raw(")</span></h3>");
  h.raw("<p class=\"summary\">").text(r.summary).raw("</p>");
  for (const std::string& p : r.paragraphs) {
    h.raw("<p>");
    text_with_links(h, p);
    h.raw("</p>");
  }
  if (!r.related.empty()) {
    h.raw("<ul class=\"related\">");
    for (const db::related_port& rel : r.related) {
      h.raw("<li><a href=\"/port/").number(rel.port).raw("\">").number(rel.port);
      if (std::string_view name = db.name_of(rel.port); !name.empty()) h.raw(" ").text(name);
      h.raw("</a>: ").text(rel.reason).raw("</li>");
    }
    h.raw("</ul>");
  }
  if (!r.references.empty()) {
    h.raw("<p class=\"refs\">References: ");
    for (std::size_t i = 0; i < r.references.size(); ++i) {
      if (i > 0) h.raw("; ");
      text_with_links(h, r.references[i].id);
      if (!r.references[i].title.empty()) h.raw(", ").text(r.references[i].title);
    }
    h.raw("</p>");
  }
  h.raw("</article>");
}

}  // namespace

void port_ranges(html& h, const db::database& db, const db::port_info& info) {
  if (info.ranges.empty()) return;
  h.raw("<section id=\"ranges\"><h2>")
      .text(info.ranges.size() == 1 ? "The range this port is in" : "Ranges this port is in")
      .raw("</h2>");
  for (const db::range_note* r : info.ranges) range_note(h, db, *r);
  h.raw("</section>");
}

}  // namespace breakwater::site
