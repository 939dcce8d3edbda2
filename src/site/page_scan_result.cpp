// /scan/{id}: a scan's progress, grid, counts, the ports that answered, ping and UPnP, and the
// verdict; and the single-port result shown on its port's page.
#include "site/address_note.hpp"
#include "site/assets.hpp"
#include "site/dual_stack.hpp"
#include "site/page_scan.hpp"
#include "site/pages.hpp"
#include "site/scan_verdict.hpp"

#include <fmt/format.h>

#include <chrono>

namespace breakwater::site {
namespace {

using probe::port_state;

bool running(const scan::scan_view& v) { return v.phase == scan::scan_phase::running; }

// Without JavaScript the page reloads itself until the scan is over; with it, scan.js takes
// the events instead (and reloads once at the end, for the server-rendered verdict).
std::string live_head(const scan::scan_view& v) {
  std::string head =
      fmt::format("{}<script src=\"{}\" defer></script>", form_page_head, asset_url("scan.js"));
  if (running(v)) head += "<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>";
  return head;
}

std::string rtt_text(const std::optional<probe::duration>& rtt) {
  if (!rtt) return {};
  double ms = std::chrono::duration<double, std::milli>(*rtt).count();
  return fmt::format("{:.1f} ms", ms);
}

long long retention_minutes(const scan::scan_view& v) {
  auto m = std::chrono::duration_cast<std::chrono::minutes>(v.expires - v.started).count();
  return m > 0 ? m : 1;
}

void retention(html& h, const scan::scan_view& v) {
  h.raw("<p class=\"muted\" id=\"retention\">")
      .text(fmt::format(
          "Results are kept in memory only for {} minutes, then forgotten; nothing about you is "
          "written to disk beyond the request log.",
          retention_minutes(v)));
  h.raw("</p>");
}

std::string_view phase_words(const scan::scan_view& v) {
  switch (v.phase) {
    case scan::scan_phase::running: return "Running";
    case scan::scan_phase::done: return "Finished";
    case scan::scan_phase::cancelled: return "Cancelled";
    case scan::scan_phase::failed: return "Failed";
  }
  return "";
}

void progress(html& h, const scan::scan_view& v, std::string_view cancel_token) {
  h.raw("<p id=\"progress\" role=\"status\"><span id=\"phase\">").text(phase_words(v));
  h.raw("</span>");
  if (!v.ports.empty()) {
    h.raw(": <span id=\"decided\">").number(v.decided).raw("</span> of ").number(v.ports.size());
    h.raw(" ports decided.");
  }
  if (running(v) && v.estimate.count() > 0) {
    h.text(fmt::format(" Expected to take {} in all.", describe_duration(v.estimate)));
  }
  h.raw("</p>");
  if (!v.ports.empty()) {
    h.raw("<progress id=\"bar\" max=\"").number(v.ports.size()).raw("\" value=\"");
    h.number(v.decided).raw("\"></progress>");
  }
  if (running(v)) {
    h.raw("<form class=\"cancel\" method=\"post\" action=\"/scan/").text(v.id);
    h.raw("/cancel\"><input type=\"hidden\" name=\"csrf\" value=\"").text(cancel_token);
    h.raw("\"><button type=\"submit\" id=\"cancel\">Stop this scan</button></form>");
  }
}

void legend(html& h) {
  h.raw("<ul class=\"legend\" aria-label=\"Legend\">")
      .raw("<li><span class=\"c st-open\"></span>Open: accepts connections</li>")
      .raw("<li><span class=\"c st-closed\"></span>Closed: refuses, but shows you are there</li>")
      .raw("<li><span class=\"c st-stealth\"></span>Stealth: no answer at all</li>")
      .raw("<li><span class=\"c st-pending\"></span>Not yet tested</li></ul>");
}

void counts(html& h, const scan::scan_view& v) {
  probe::scan_summary s = v.result.summary();
  std::size_t pending =
      v.ports.size() > v.result.ports.size() ? v.ports.size() - v.result.ports.size() : 0;
  h.raw("<p class=\"counts\">Open <b id=\"n-open\">").number(s.open);
  h.raw("</b> · Closed <b id=\"n-closed\">").number(s.closed);
  h.raw("</b> · Stealth <b id=\"n-stealth\">").number(s.stealth);
  h.raw("</b> · ").raw(running(v) ? "Not yet tested" : "Not tested");
  h.raw(" <b id=\"n-pending\">").number(pending).raw("</b></p>");
}

void answered_list(html& h, const scan::scan_view& v, const db::database& db) {
  h.raw("<h2>Ports that answered</h2><ul id=\"answered\" class=\"answered\">");
  bool any = false;
  for (const probe::port_result& r : v.result.ports) {
    if (r.state == port_state::stealth) continue;
    any = true;
    h.raw("<li class=\"").raw(r.state == port_state::open ? "st-open" : "st-closed");
    h.raw("\"><a href=\"/port/").number(r.port).raw("\">Port ").number(r.port).raw("</a>");
    std::string_view name = db.name_of(r.port);
    if (!name.empty()) h.raw(" ").text(name);
    h.raw(": <strong>").text(probe::to_string(r.state)).raw("</strong> (");
    h.text(probe::to_string(r.why));
    if (r.rtt) h.text(", " + rtt_text(r.rtt));
    h.raw(")</li>");
  }
  h.raw("</ul>");
  h.raw("<p id=\"answered-none\"").raw(any ? " hidden" : "").raw(">");
  h.text(running(v) ? "None so far." : "None: every port tested was stealth.").raw("</p>");
}

void ping_box(html& h, const scan::scan_view& v) {
  if (!v.ping) return;
  h.raw("<h2>Ping</h2><p id=\"ping\">");
  if (!v.result.ping) {
    h.text(running(v) ? "Waiting for the answer." : "Not tested.");
  } else if (!v.result.ping->permitted) {
    h.text("Ping could not be sent from this server: " + v.result.ping->error);
  } else if (v.result.ping->answered) {
    h.text(fmt::format("Your address answered ping ({} of {} requests, first answer after {}).",
                       v.result.ping->received, v.result.ping->sent, rtt_text(v.result.ping->rtt)));
  } else {
    h.text(fmt::format("No answer to {} ping requests: good.", v.result.ping->sent));
  }
  h.raw("</p>");
}

void upnp_box(html& h, const scan::scan_view& v) {
  if (!v.upnp) return;
  h.raw("<h2>UPnP</h2><div id=\"upnp\">");
  if (!v.result.upnp) {
    h.el("p", running(v) ? "Waiting for the answer." : "Not tested.");
  } else if (v.result.upnp->answered) {
    const probe::upnp_result& u = *v.result.upnp;
    h.raw(
        "<p class=\"danger\"><strong>Your router answered UPnP discovery from the internet."
        "</strong> ");
    h.text("Its answer came from " + u.from + ". This is what it said, word for word:");
    h.raw("</p><pre class=\"upnp-reply\">").text(u.status_line).raw("\n");
    for (const auto& [name, value] : u.headers) h.text(name).raw(": ").text(value).raw("\n");
    h.raw("</pre><p>")
        .text(
            "A router should only ever answer UPnP on your home network. Answering the internet "
            "tells attackers its make and software version, and many such routers also accept "
            "commands from outside to open ports or to relay traffic.");
    h.raw("</p>");
  } else if (v.result.upnp->refused) {
    h.el("p",
         "UDP port 1900 is closed: the router refused it rather than staying silent. No "
         "UPnP answer, which is what matters.");
  } else if (!v.result.upnp->error.empty()) {
    h.el("p", "The UPnP test could not run: " + v.result.upnp->error);
  } else {
    h.el("p", "No answer to UPnP discovery: good.");
  }
  h.raw("</div>");
}

std::string_view verdict_class(verdict_kind k) {
  switch (k) {
    case verdict_kind::upnp_exposed:
    case verdict_kind::open_ports:
    case verdict_kind::failed: return "v-bad";
    case verdict_kind::closed_ports:
    case verdict_kind::ping_answered: return "v-warn";
    case verdict_kind::tru_stealth:
    case verdict_kind::stealth:
    case verdict_kind::nothing_found: return "v-good";
    case verdict_kind::running: return "v-running";
  }
  return "v-running";
}

void findings(html& h, std::string_view heading, const std::vector<port_finding>& list) {
  if (list.empty()) return;
  h.raw("<h3>").text(heading).raw("</h3><ul class=\"findings\">");
  for (const port_finding& f : list) {
    h.raw("<li><a href=\"/port/").number(f.port).raw(f.has_entry ? "#entry" : "").raw("\">Port ");
    h.number(f.port);
    if (!f.name.empty()) h.raw(" (").text(f.name).raw(")");
    h.raw("</a>: ").text(f.why).raw(" <em>").text(f.advice).raw("</em></li>");
  }
  h.raw("</ul>");
}

void verdict_box(html& h, const verdict_text& vt) {
  h.raw("<section id=\"verdict\" class=\"verdict ").raw(verdict_class(vt.kind)).raw("\">");
  h.raw("<h2>Verdict</h2><p class=\"headline\"><strong>").text(vt.headline).raw("</strong></p>");
  for (const std::string& p : vt.paragraphs) h.el("p", p);
  findings(h, "Open ports", vt.open);
  findings(h, "Closed ports", vt.closed);
  if (!vt.actions.empty()) {
    h.raw("<h3>What to do</h3><ul class=\"actions\">");
    for (const std::string& a : vt.actions) h.el("li", a);
    h.raw("</ul>");
  }
  h.raw("</section>");
}

}  // namespace

page render_scan_result_page(const scan::scan_view& v, const db::database& db,
                             std::string_view cancel_token, bool dual) {
  html h;
  h.raw("<section id=\"scan\" data-id=\"").text(v.id).raw("\" data-events=\"/api/v1/scans/");
  h.text(v.id).raw("/events\" data-phase=\"").text(scan::to_string(v.phase));
  h.raw("\" data-total=\"").number(v.ports.size()).raw("\">");
  h.raw("<h1>")
      .text(scan::title_of(v.kind))
      .raw(
          "</h1><p class=\"target\">Probing <strong "
          "id=\"target\">");
  h.text(v.target).raw("</strong>, the address your connection comes from.</p>");
  if (auto note = address_note(v.target)) h.raw("<p class=\"note\">").text(*note).raw("</p>");
  h.raw("<p class=\"family\" id=\"family\">").text(family_used_sentence(v.target, dual));
  h.raw("</p>");
  progress(h, v, cancel_token);
  if (!v.ports.empty()) {
    h.raw("<h2>Ports</h2>");
    legend(h);
    counts(h, v);
    scan_grid(h, v);
  }
  if (v.phase != scan::scan_phase::running) verdict_box(h, make_verdict(v, db));
  if (!v.ports.empty()) answered_list(h, v, db);
  ping_box(h, v);
  upnp_box(h, v);
  retention(h, v);
  h.raw("<p><a href=\"/scan\">Run another test</a></p></section>");
  return {fmt::format("{}: {}", scan::title_of(v.kind), phase_words(v)), "scan", live_head(v),
          h.take()};
}

page render_port_probe_page(const scan::scan_view& v, const db::database& db,
                            const page_context& ctx) {
  std::vector<std::uint16_t> ports = v.ports.ports();
  std::uint16_t port = ports.empty() ? 0 : ports.front();
  const probe::port_result* r = v.result.ports.empty() ? nullptr : &v.result.ports.front();
  html h;
  std::string_view state = r == nullptr                     ? "st-pending"
                           : r->state == port_state::open   ? "st-open"
                           : r->state == port_state::closed ? "st-closed"
                                                            : "st-stealth";
  h.raw("<section id=\"scan\" class=\"probe-result ").raw(state).raw("\" data-mode=\"single\" ");
  h.raw("data-id=\"").text(v.id).raw("\" data-events=\"/api/v1/scans/").text(v.id);
  h.raw("/events\" data-phase=\"").text(scan::to_string(v.phase)).raw("\">");
  h.raw("<h2>Port ").number(port).raw(" from the internet: <span id=\"state\">");
  if (r != nullptr) {
    std::string word(probe::to_string(r->state));
    word[0] = static_cast<char>(word[0] - 'a' + 'A');
    h.text(word);
  } else {
    h.text(running(v) ? "testing\u2026" : "not tested");
  }
  h.raw("</span></h2><p class=\"target\">Probed address: <strong id=\"target\">").text(v.target);
  h.raw("</strong></p>");
  if (r != nullptr) {
    for (const std::string& s : explain_port_state(port, r->state, db)) h.el("p", s);
    const db::entry* e = db.find_entry(port);
    if (r->state == port_state::open && e != nullptr) {
      h.raw("<p class=\"advice\"><strong>What to do:</strong> ").text(e->advice).raw("</p>");
    }
    h.raw("<p class=\"muted\">").text(fmt::format("Reason: {}", probe::to_string(r->why)));
    if (r->rtt) h.text(", answered after " + rtt_text(r->rtt));
    h.raw(".</p>");
  } else if (v.phase == scan::scan_phase::failed) {
    h.el("p", v.error.empty() ? "The probe could not run." : v.error);
  }
  h.raw("<p><a href=\"/port/").number(port).raw("/probe\">Probe again</a></p>");
  retention(h, v);
  h.raw("</section>");
  page base = render_port_page(db, db.lookup(port), ctx);
  base.title = fmt::format("Probe of port {}", port);
  base.head = live_head(v);
  base.body = h.take() + base.body;
  return base;
}

}  // namespace breakwater::site
