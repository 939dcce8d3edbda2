// The /port/N page, in the spirit of the original Port Authority pages.
#include "db/bad_ports.hpp"
#include "db/port_range.hpp"
#include "site/assets.hpp"
#include "site/html.hpp"
#include "site/page_forms.hpp"
#include "site/page_port_ranges.hpp"
#include "site/pages.hpp"
#include "site/reference_links.hpp"
#include "site/udp_words.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

void port_link(html& h, std::uint16_t port, std::string_view rel, std::string_view label) {
  h.raw("<a class=\"step ").raw(rel).raw("\" rel=\"").raw(rel).raw("\" href=\"/port/");
  h.number(port).raw("\">").text(label).raw("</a>");
}

// Which transports "probe this port" offers: those our entry names, else those IANA registers
// (TCP when neither says). A UDP probe asks in the protocol our prober knows for the port.
struct probe_transports {
  bool tcp = false;
  bool udp = false;
};

probe_transports transports_of(const db::port_info& info) {
  probe_transports t;
  auto note = [&t](db::transport x) {
    t.tcp = t.tcp || x == db::transport::tcp;
    t.udp = t.udp || x == db::transport::udp;
  };
  if (info.ours != nullptr) {
    for (db::transport x : info.ours->transports) note(x);
  }
  if (!t.tcp && !t.udp) {
    for (const db::iana_row* r : info.registrations) {
      if (r->proto) note(*r->proto);
    }
  }
  if (!t.tcp && !t.udp) t.tcp = true;
  return t;
}

// One submit button per transport. Without JavaScript the form's GET carries the button's
// transport to the confirm page; probe.js reads data-transport (and data-protocol, what a UDP
// probe asks in) instead.
// `aria`: the button's full name, when its text is only "TCP" or "UDP".
void probe_button(html& h, std::uint16_t port, bool udp, bool named, std::string_view label,
                  std::string_view aria = {}) {
  h.raw("<button type=\"submit\" id=\"probe-").raw(udp ? "udp" : "tcp");
  h.raw("\" data-transport=\"").raw(udp ? "udp" : "tcp").raw("\"");
  if (named) h.raw(" name=\"transport\" value=\"").raw(udp ? "udp" : "tcp").raw("\"");
  if (udp) h.raw(" data-protocol=\"").text(udp_protocol_name(port)).raw("\"");
  if (!aria.empty()) h.raw(" aria-label=\"").text(aria).raw("\"");
  h.raw(">").text(label).raw("</button>");
}

// The probe control leads to a per-visitor confirm page (with its CSRF-protected POST form),
// so that this page stays the same for everyone and cacheable. With JavaScript, probe.js
// asks for the confirmation and shows the verdict right here instead.
void probe_control(html& h, const db::port_info& info, bool enabled) {
  std::uint16_t port = info.port;
  if (!enabled) {
    h.raw("<span class=\"probe\" id=\"probe\" aria-disabled=\"true\">Probe port ")
        .number(port)
        .raw(": not offered by this server</span>");
    return;
  }
  probe_transports t = transports_of(info);
  h.raw("<form class=\"probe\" id=\"probe\" method=\"get\" action=\"/port/").number(port);
  h.raw("/probe\">");
  if (t.tcp && t.udp) {
    h.raw("<span class=\"probe-label\">Probe port ").number(port).raw(" on my connection:</span>");
    probe_button(h, port, false, true, "TCP", fmt::format("Probe TCP port {}", port));
    probe_button(h, port, true, true, "UDP", fmt::format("Probe UDP port {}", port));
  } else if (t.udp) {
    probe_button(h, port, true, true, fmt::format("Probe UDP port {} on my connection", port));
  } else {
    probe_button(h, port, false, false, fmt::format("Probe port {} on my connection", port));
  }
  h.raw("</form>");
}

void header_bar(html& h, const db::port_info& info, bool probe) {
  h.raw("<nav class=\"portbar\" aria-label=\"Ports\">");
  // The nearest ports with a registration or an entry, not N-1 and N+1 (the box goes to
  // any port): the label says so, since they may be far apart.
  port_link(h, info.previous, "prev",
            fmt::format("\u25c0 Previous port with details: {}", info.previous));
  port_form(h, info.port, "port-box");
  probe_control(h, info, probe);
  port_link(h, info.next, "next", fmt::format("Next port with details: {} \u25b6", info.next));
  h.raw("</nav>");
}

void title(html& h, const db::database& db, const db::port_info& info) {
  std::string_view name = db.name_of(info.port);
  h.raw("<h1>Port ").number(info.port);
  if (!name.empty()) h.raw("<span class=\"name\">").text(name).raw("</span>");
  h.raw("</h1>");
  if (info.ours) h.raw("<p class=\"summary\">").text(info.ours->summary).raw("</p>");
  h.raw("<p class=\"range\">").text(db::describe(info.range)).raw("</p>");
  if (info.browsers_refuse) {
    // Why it matters: a page cannot make a visitor's browser talk to this port, so
    // cross-protocol tricks through the browser are off the table here.
    h.raw(
        "<p class=\"refused\" id=\"browsers-refuse\"><strong>Browsers refuse this port.</strong> ");
    h.text("It is on the ");
    external_link(h, db::bad_port_source, "Fetch Standard's list of bad ports");
    h.text(
        ": browsers will not load http:// or https:// addresses on it, so no web page can "
        "make a visitor's browser send requests here.");
    h.raw("</p>");
  }
}

// IANA's remarks on a row, under its description: unauthorized use, assignment notes and
// (DCCP) the service code, each only when the row has it.
void row_remarks(html& h, const db::iana_row& r) {
  if (!r.unauthorized_use.empty()) {
    h.raw("<p class=\"unauthorized\"><strong>Unauthorized use reported:</strong> ");
    h.text(r.unauthorized_use).raw("</p>");
  }
  if (!r.notes.empty()) {
    h.raw("<p class=\"notes\"><strong>Assignment notes:</strong> ").text(r.notes).raw("</p>");
  }
  if (!r.service_code.empty()) {
    h.raw("<p class=\"notes\"><strong>Service code:</strong> ").text(r.service_code).raw("</p>");
  }
}

// Who and when: the assignee with its contact when IANA names another, the registration
// date with the last modification.
void row_people_and_dates(html& h, const db::iana_row& r) {
  h.raw("<td>").text(r.assignee);
  if (!r.contact.empty() && r.contact != r.assignee) {
    h.raw("<p class=\"notes\">Contact: ").text(r.contact).raw("</p>");
  }
  h.raw("</td><td>").text(r.registration_date);
  if (!r.modification_date.empty()) {
    h.raw("<p class=\"notes\">Modified ").text(r.modification_date).raw("</p>");
  }
  h.raw("</td>");
}

// One IANA row after its first cell: the description (and ports of a range row) with the
// remarks, who and when, the reference.
void row_cells(html& h, const db::iana_row& r, std::string_view description) {
  h.raw("<td>").text(description);
  if (r.port_lo != r.port_hi) h.text(fmt::format(" (ports {}-{})", r.port_lo, r.port_hi));
  row_remarks(h, r);
  h.raw("</td>");
  row_people_and_dates(h, r);
  h.raw("<td>");
  text_with_links(h, r.reference);
  h.raw("</td></tr>");
}

void registration_rows(html& h, const db::port_info& info, std::optional<db::transport> t) {
  for (const db::iana_row* r : info.registrations) {
    if (r->proto != t) continue;
    h.raw("<tr><td>").text(r->service.empty() ? "(none)" : r->service).raw("</td>");
    row_cells(h, *r, r->description);
  }
}

// IANA's Unassigned rows that say more than that word (a de-registration, unauthorized use
// reported, a date): as IANA publishes them, below the registrations.
void unassigned_notes(html& h, const db::port_info& info) {
  if (info.unassigned_notes.empty()) return;
  h.raw("<h3 id=\"iana-unassigned\">Unassigned, with IANA's notes</h3>")
      .raw("<div class=\"table-wrap\"><table><thead><tr>")
      .raw("<th>Transport</th><th>Description</th><th>Assignee</th><th>Registered</th>")
      .raw("<th>Reference</th></tr></thead><tbody>");
  for (const db::iana_row* r : info.unassigned_notes) {
    h.raw("<tr><td>").text(r->proto ? db::to_string(*r->proto) : "any").raw("</td>");
    row_cells(h, *r, r->description.empty() ? "Unassigned" : std::string_view(r->description));
  }
  h.raw("</tbody></table></div>");
}

bool has_transport(const db::port_info& info, std::optional<db::transport> t) {
  for (const db::iana_row* r : info.registrations) {
    if (r->proto == t) return true;
  }
  return false;
}

void registrations(html& h, const db::port_info& info) {
  h.raw("<section id=\"iana\"><h2>IANA registrations</h2>");
  if (info.registrations.empty()) {
    h.el("p", info.unassigned ? "IANA lists this port as Unassigned for every transport."
                              : "IANA has no registration for this port.");
  }
  std::vector<std::optional<db::transport>> kinds(db::all_transports.begin(),
                                                  db::all_transports.end());
  kinds.push_back(std::nullopt);
  for (std::optional<db::transport> t : kinds) {
    if (!has_transport(info, t)) continue;
    std::string label = t ? fmt::format("{}", db::to_string(*t)) : "no transport given";
    for (char& c : label) c = t ? static_cast<char>(c - 'a' + 'A') : c;
    h.raw("<h3>")
        .text(label)
        .raw("</h3><div class=\"table-wrap\"><table><thead><tr>")
        .raw("<th>Service</th><th>Description</th><th>Assignee</th><th>Registered</th>")
        .raw("<th>Reference</th></tr></thead><tbody>");
    registration_rows(h, info, t);
    h.raw("</tbody></table></div>");
  }
  unassigned_notes(h, info);
  h.raw("</section>");
}

// The exposure level in words (data/README.md's table), not its key: a reader meets
// "restricted" with no table beside it.
std::string_view exposure_words(db::exposure_level level) {
  switch (level) {
    case db::exposure_level::public_service:
      return "Built to face the internet: safe to expose when kept patched and configured well.";
    case db::exposure_level::restricted:
      return "Reachable from outside only from known addresses, through a VPN, or with strong "
             "authentication.";
    case db::exposure_level::never: return "Should never be reachable from the internet.";
    case db::exposure_level::varies:
      return "Depends on which of several unrelated programs is listening.";
  }
  return {};
}

void exposure(html& h, const db::entry& e) {
  bool is_public = e.exposure == db::exposure_level::public_service;
  h.raw("<h3 id=\"exposure\">Exposure</h3><div class=\"exposure");
  h.raw(is_public ? " public" : "").raw("\">");
  h.raw("<strong>").text(exposure_words(e.exposure)).raw("</strong><p>").text(e.advice);
  h.raw("</p></div>");
}

void related(html& h, const db::database& db, const db::entry& e) {
  if (e.related.empty()) return;
  h.raw("<h3>Related ports</h3><ul class=\"related\">");
  for (const db::related_port& r : e.related) {
    h.raw("<li><a href=\"/port/").number(r.port).raw("\">").number(r.port);
    std::string_view name = db.name_of(r.port);
    if (!name.empty()) h.raw(" ").text(name);
    h.raw("</a>: ").text(r.reason).raw("</li>");
  }
  h.raw("</ul>");
}

void incidents_and_references(html& h, const db::entry& e) {
  if (!e.incidents.empty()) {
    h.raw("<h3>Incidents</h3><ul class=\"incidents\">");
    for (const db::incident& i : e.incidents) {
      h.raw("<li><strong>").number(static_cast<unsigned>(i.year)).raw("</strong> ");
      text_with_links(h, i.summary);
      h.raw(" <span class=\"muted\">(");
      text_with_links(h, i.source);
      h.raw(")</span></li>");
    }
    h.raw("</ul>");
  }
  if (e.references.empty()) return;
  h.raw("<h3>References</h3><ul class=\"refs\">");
  for (const db::reference& r : e.references) {
    h.raw("<li>");
    text_with_links(h, r.id);
    if (!r.title.empty()) h.raw(": ").text(r.title);
    h.raw("</li>");
  }
  h.raw("</ul>");
}

void software(html& h, const db::entry& e) {
  if (e.software.empty()) return;
  h.raw("<p class=\"software\"><strong>Listens here by default:</strong> ");
  for (std::size_t i = 0; i < e.software.size(); ++i) {
    if (i > 0) h.raw(", ");
    h.text(e.software[i]);
  }
  h.raw("</p>");
}

void our_entry(html& h, const db::database& db, const db::port_info& info) {
  if (info.ours == nullptr) {
    // What a registration says is worth saying only where there is one.
    const std::string_view registration =
        info.registrations.empty()
            ? " No one has registered it with IANA either"
            : " A registration says who asked for the number, not what actually listens on it "
              "today";
    h.raw("<section id=\"entry\" class=\"noentry\"><h2>No details yet</h2><p>")
        .text(fmt::format(
            "We have not written about port {} itself yet.{}{}", info.port, registration,
            info.ranges.empty() ? "." : "; the ranges below say what usually uses ports like it."))
        .raw("</p></section>");
    return;
  }
  const db::entry& e = *info.ours;
  h.raw("<section id=\"entry\"><h2>").text(e.title).raw("</h2>");
  software(h, e);
  for (const std::string& p : e.paragraphs) {
    h.raw("<p>");
    text_with_links(h, p);
    h.raw("</p>");
  }
  exposure(h, e);
  related(h, db, e);
  incidents_and_references(h, e);
  h.raw("</section>");
}

void row(html& h, std::string_view term, std::string_view value) {
  h.raw("<dt>").text(term).raw("</dt><dd>").text(value.empty() ? "(none)" : value).raw("</dd>");
}

void tls_box(html& h, const page_context& ctx) {
  if (!ctx.https || ctx.tls == nullptr) return;
  h.raw("<section id=\"tls\" class=\"tls\"><h2>This connection</h2><dl>");
  row(h, "TLS version", ctx.tls->version);
  row(h, "Cipher", ctx.tls->cipher);
  row(h, "ALPN", ctx.tls->alpn);
  row(h, "Server name (SNI)", ctx.tls->sni);
  if (ctx.cert != nullptr) {
    row(h, "Certificate subject", ctx.cert->subject);
    row(h, "Issuer", ctx.cert->issuer);
    row(h, "Valid from", ctx.cert->not_before);
    row(h, "Valid until", ctx.cert->not_after);
    row(h, "SHA-256 fingerprint", ctx.cert->sha256);
  }
  h.raw("</dl></section>");
}

void scheme_link(html& h, const page_context& ctx, std::uint16_t port) {
  std::string url = ctx.other_scheme_url(fmt::format("/port/{}", port));
  if (url.empty()) return;
  h.raw("<p class=\"scheme\" id=\"scheme\"><a href=\"").text(url).raw("\">");
  h.text(ctx.https ? "Show this page over plain HTTP" : "Show this page over HTTPS");
  h.raw("</a></p>");
}

}  // namespace

page render_port_page(const db::database& db, const db::port_info& info, const page_context& ctx) {
  html h;
  header_bar(h, info, ctx.probe);
  title(h, db, info);
  registrations(h, info);
  our_entry(h, db, info);
  port_ranges(h, db, info);
  tls_box(h, ctx);
  scheme_link(h, ctx, info.port);
  page p;
  std::string_view name = db.name_of(info.port);
  p.title = name.empty() ? fmt::format("Port {}", info.port)
                         : fmt::format("Port {} ({})", info.port, name);
  p.section = "port";
  p.head = fmt::format("<link rel=\"prev\" href=\"/port/{}\"><link rel=\"next\" href=\"/port/{}\">",
                       info.previous, info.next);
  if (ctx.probe) p.head += fmt::format("<script src=\"{}\" defer></script>", asset_url("probe.js"));
  p.body = h.take();
  return p;
}

}  // namespace breakwater::site
