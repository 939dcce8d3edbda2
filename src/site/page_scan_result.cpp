// /scan/{id}: a scan's progress, grid, counts, the ports that answered, ping and UPnP, and the
// verdict; and the single-port result shown on its port's page.
#include "site/address_note.hpp"
#include "site/assets.hpp"
#include "site/dual_stack.hpp"
#include "site/page_scan.hpp"
#include "site/pages.hpp"
#include "site/scan_verdict.hpp"
#include "site/udp_words.hpp"

#include <fmt/format.h>

#include <algorithm>
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
  std::size_t total = v.total_ports();
  if (total > 0) {
    h.raw(": <span id=\"decided\">").number(v.decided).raw("</span> of ").number(total);
    h.raw(" ports decided.");
  }
  if (running(v) && v.estimate.count() > 0) {
    h.text(fmt::format(" Expected to take {} in all.", describe_duration(v.estimate)));
  }
  h.raw("</p>");
  if (total > 0) {
    h.raw("<progress id=\"bar\" max=\"").number(total).raw("\" value=\"");
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

void udp_legend(html& h) {
  h.raw("<ul class=\"legend\" aria-label=\"UDP legend\">")
      .raw("<li><span class=\"c st-open\"></span>Open: a service answered</li>")
      .raw("<li><span class=\"c st-closed\"></span>Closed: ICMP port unreachable</li>")
      .raw("<li><span class=\"c st-filtered\"></span>Filtered: another ICMP error, a refusal on ")
      .raw("the way</li><li><span class=\"c st-stealth\"></span>No answer: stealth, or a service ")
      .raw(
          "that stays silent</li><li><span class=\"c st-pending\"></span>Not yet tested</li></ul>");
}

void udp_counts(html& h, const scan::scan_view& v) {
  probe::scan_summary s = v.result.udp_summary();
  std::size_t pending =
      v.udp_ports.size() > v.result.udp.size() ? v.udp_ports.size() - v.result.udp.size() : 0;
  h.raw("<p class=\"counts\">UDP: Open <b id=\"nu-open\">").number(s.open);
  h.raw("</b> · Closed <b id=\"nu-closed\">").number(s.closed);
  h.raw("</b> · Filtered <b id=\"nu-filtered\">").number(s.filtered);
  h.raw("</b> · No answer <b id=\"nu-stealth\">").number(s.stealth);
  h.raw("</b> · ").raw(running(v) ? "Not yet tested" : "Not tested");
  h.raw(" <b id=\"nu-pending\">").number(pending).raw("</b></p>");
}

// The UDP block: its own legend, counts and grid. `data-findings` is the findings table, so
// that scan.js words live verdicts from the same table as this page.
void udp_block(html& h, const scan::scan_view& v) {
  if (v.udp_ports.empty()) return;
  h.raw("<section id=\"udp\" class=\"udp-block\" data-findings=\"").text(udp_findings_json());
  h.raw("\"><h2>UDP services</h2>");
  udp_legend(h);
  udp_counts(h, v);
  scan_udp_grid(h, v);
  h.raw("</section>");
}

// "UDP 53 DNS", linking the port's page.
void udp_port_link(html& h, std::uint16_t port) {
  h.raw("<a href=\"/port/").number(port).raw("\">UDP ").number(port).raw("</a>");
  std::string_view name = udp_protocol_name(port);
  if (!name.empty()) h.raw(" ").text(name);
}

// An open UDP port: the finding first, then what was asked and answered, the answer's bytes
// (escaped by the prober, and shown as text here).
void udp_answer_detail(html& h, const probe::port_result& r) {
  const probe::udp_answer& a = *r.udp;
  h.raw("<div class=\"udp-detail\">");
  if (auto f = udp_finding_of(r)) {
    h.raw("<p class=\"udp-finding").raw(f->reflector ? " danger" : "").raw("\"><strong>");
    h.text(f->sentence).raw("</strong> ").text(f->advice).raw("</p>");
  }
  if (!a.summary.empty()) h.raw("<p class=\"udp-summary\">").text(a.summary).raw("</p>");
  h.raw("<p class=\"muted udp-bytes\">")
      .text(fmt::format(
          "Asked in {}: {} bytes sent, {} bytes back in {} datagram{}: amplification {}.",
          a.protocol, a.bytes_out, a.bytes_in, a.datagrams, a.datagrams == 1 ? "" : "s",
          amplification_text(a.amplification())));
  h.raw("</p>");
  if (!a.text.empty()) h.raw("<pre class=\"udp-text\">").text(a.text).raw("</pre>");
  h.raw("</div>");
}

void udp_answer_item(html& h, const probe::port_result& r, bool v6) {
  h.raw("<li class=\"")
      .raw(r.state == port_state::open       ? "st-open"
           : r.state == port_state::filtered ? "st-filtered"
                                             : "st-closed");
  h.raw("\" id=\"ua").number(r.port).raw("\">");
  udp_port_link(h, r.port);
  h.raw(": <strong>").text(udp_state_word(r.state)).raw("</strong> (");
  h.text(r.state == port_state::open ? "answered" : icmp_words(r, v6));
  if (r.rtt) h.text(", " + rtt_text(r.rtt));
  h.raw(")");
  if (r.state == port_state::open && r.udp) udp_answer_detail(h, r);
  h.raw("</li>");
}

// A target that answers on every port (a router that resets them all, a tarpit that accepts
// them all, a host without a firewall that refuses every UDP port) would make a list of 65,535
// items: megabytes of page for every view of it. Past this many, open ports come first and
// the rest are counted; the JSON has them all.
constexpr std::size_t answered_listed = 256;

struct answers {
  std::vector<const probe::port_result*> shown;
  std::size_t open = 0, refused = 0;  // all that answered: open, and closed or filtered

  std::size_t total() const noexcept { return open + refused; }
};

// The ports that answered, to list: in port order, or open ones first when `open_first` or
// when there are more than answered_listed; at most that many.
answers listed_answers(const std::vector<probe::port_result>& ports, bool open_first) {
  answers a;
  for (const probe::port_result& r : ports) {
    if (r.state == port_state::stealth) continue;
    ++(r.state == port_state::open ? a.open : a.refused);
  }
  open_first = open_first || a.total() > answered_listed;
  for (bool open : {true, false}) {
    for (const probe::port_result& r : ports) {
      if (r.state == port_state::stealth || a.shown.size() == answered_listed) continue;
      if (open_first && (r.state == port_state::open) != open) continue;
      a.shown.push_back(&r);
    }
    if (!open_first) break;
  }
  return a;
}

// What a capped list left out, and where it all is. scan.js lists every port from the
// events when it runs: it removes this sentence.
void more_answers(html& h, const answers& a, std::string_view id, std::string_view refused_words,
                  const scan::scan_view& v) {
  if (a.shown.size() == a.total()) return;
  std::size_t open_left = a.open - std::min(a.open, a.shown.size());
  std::size_t refused_left = a.total() - a.shown.size() - open_left;
  h.raw("<p id=\"").raw(id).raw("\" class=\"answered-more\">");
  h.text(fmt::format("{} more ports answered ({} open, {} {}) and are not listed here. ",
                     a.total() - a.shown.size(), open_left, refused_left, refused_words));
  h.raw("Every port is in <a href=\"/api/v1/scans/").text(v.id).raw("\">this scan's JSON</a>.</p>");
}

// The UDP ports that answered (open first: they matter most), then the silent ones whose
// silence is what a healthy service sends.
void udp_answered_list(html& h, const scan::scan_view& v) {
  if (v.udp_ports.empty()) return;
  bool v6 = v.result.target.is_v6();
  h.raw("<h2>UDP ports that answered</h2><ul id=\"answered-udp\" class=\"answered udp\">");
  answers a = listed_answers(v.result.udp, true);
  for (const probe::port_result* r : a.shown) udp_answer_item(h, *r, v6);
  h.raw("</ul>");
  more_answers(h, a, "answered-udp-more", "closed or filtered", v);
  h.raw("<p id=\"answered-udp-none\"").raw(a.total() > 0 ? " hidden" : "").raw(">");
  h.text(running(v) ? "None so far."
                    : "None: no UDP port answered (stealth, or services that stay silent).");
  h.raw("</p>");
  bool silent = false;
  html items;
  for (const probe::port_result& r : v.result.udp) {
    std::string_view note = udp_silence_note(r.port);
    if (r.state != port_state::stealth || note.empty()) continue;
    silent = true;
    items.raw("<li id=\"us").number(r.port).raw("\">");
    udp_port_link(items, r.port);
    items.raw(": <strong>no answer</strong>. ").text(note).raw(" ");
    items.raw("<a href=\"/reach\">Run the reachability check</a></li>");
  }
  h.raw("<ul id=\"udp-silent\" class=\"silent\"").raw(silent ? "" : " hidden").raw(">");
  h.raw(items.str()).raw("</ul>");
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

// What a TCP answer was, in a word or two for the list of ports that answered (scan.js has
// the same words for the ones it adds live), and in a sentence for a single port's page.
std::string_view reason_short(probe::reason why) {
  switch (why) {
    case probe::reason::syn_ack: return "SYN-ACK";
    case probe::reason::ack: return "ACK";
    case probe::reason::rst: return "reset";
    case probe::reason::icmp_unreachable: return "ICMP unreachable";
    case probe::reason::no_response: return "no answer";
    case probe::reason::udp_answer: return "answer";
  }
  return "answer";
}

std::string reason_sentence(const probe::port_result& r) {
  switch (r.why) {
    case probe::reason::syn_ack: return "SYN-ACK: the port accepted the connection request";
    case probe::reason::ack:
      return "ACK: the port still holds an earlier connection request of ours, whose SYN-ACK was "
             "lost on the way";
    case probe::reason::rst: return "reset (RST): the connection request was refused";
    case probe::reason::icmp_unreachable:
      return "ICMP unreachable: a router or firewall refused the connection request";
    case probe::reason::no_response:
      return r.tries > 1 ? fmt::format("no answer to {} tries", r.tries) : "no answer";
    case probe::reason::udp_answer: return "an answer";
  }
  return "an answer";
}

void answered_item(html& h, const probe::port_result& r, const db::database& db) {
  h.raw("<li class=\"").raw(r.state == port_state::open ? "st-open" : "st-closed");
  h.raw("\"><a href=\"/port/").number(r.port).raw("\">Port ").number(r.port).raw("</a>");
  std::string_view name = db.name_of(r.port);
  if (!name.empty()) h.raw(" ").text(name);
  h.raw(": <strong>").text(probe::to_string(r.state)).raw("</strong> (");
  h.text(reason_short(r.why));
  if (r.rtt) h.text(", " + rtt_text(r.rtt));
  h.raw(")</li>");
}

void answered_list(html& h, const scan::scan_view& v, const db::database& db) {
  h.raw(v.udp_ports.empty() ? "<h2>Ports that answered</h2>" : "<h2>TCP ports that answered</h2>");
  h.raw("<ul id=\"answered\" class=\"answered\">");
  answers a = listed_answers(v.result.ports, false);
  for (const probe::port_result* r : a.shown) answered_item(h, *r, db);
  h.raw("</ul>");
  more_answers(h, a, "answered-more", "closed", v);
  h.raw("<p id=\"answered-none\"").raw(a.total() > 0 ? " hidden" : "").raw(">");
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
    case verdict_kind::udp_reflector:
    case verdict_kind::udp_exposed:
    case verdict_kind::udp_open:
    case verdict_kind::upnp_exposed:
    case verdict_kind::open_ports:
    case verdict_kind::failed: return "v-bad";
    case verdict_kind::closed_ports:
    case verdict_kind::ping_answered: return "v-warn";
    case verdict_kind::tru_stealth:
    case verdict_kind::stealth:
    case verdict_kind::nothing_found: return "v-good";
    case verdict_kind::running: return "v-running";
    case verdict_kind::inconclusive: return "v-none";
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

// Reflectors first, each with its sentence and advice.
void udp_findings(html& h, const std::vector<udp_port_finding>& list) {
  if (list.empty()) return;
  h.raw("<h3>UDP services that answer</h3><ul class=\"findings udp\" id=\"udp-findings\">");
  for (const udp_port_finding& f : list) {
    std::string label = udp_port_label(f.port);
    if (label.ends_with(',')) label.pop_back();
    h.raw("<li><a href=\"/port/").number(f.port).raw("\">").text(label).raw("</a>: ");
    if (!f.sentence.empty()) {
      h.raw("<strong>").text(f.sentence).raw("</strong> ");
    } else if (!f.summary.empty()) {
      h.text(f.summary + ". ");
    }
    h.raw("<em>").text(f.advice).raw("</em></li>");
  }
  h.raw("</ul>");
}

// Many closed ports (a router that resets every port) are one finding, not a list: the same
// advice for each, and every one of them is in the list of ports that answered below.
constexpr std::size_t closed_ports_listed = 10;

void closed_summary(html& h, const std::vector<port_finding>& list) {
  h.raw("<h3>Closed ports</h3><p class=\"closed-summary\">");
  h.text(fmt::format("{} ports answered that they are closed, among them ", list.size()));
  for (std::size_t i = 0; i < 5 && i < list.size(); ++i) {
    h.raw(i == 0 ? "" : ", ").raw("<a href=\"/port/").number(list[i].port).raw("\">");
    h.number(list[i].port).raw("</a>");
  }
  h.text(fmt::format(" (all of them under \u201cports that answered\u201d below). "));
  h.raw("<em>").text(list.front().advice).raw("</em></p>");
}

void verdict_box(html& h, const verdict_text& vt) {
  h.raw("<section id=\"verdict\" class=\"verdict ").raw(verdict_class(vt.kind)).raw("\">");
  h.raw("<h2>Verdict</h2><p class=\"headline\"><strong>").text(vt.headline).raw("</strong></p>");
  for (const std::string& p : vt.paragraphs) h.el("p", p);
  udp_findings(h, vt.udp);
  findings(h, "Open ports", vt.open);
  if (vt.closed.size() > closed_ports_listed) {
    closed_summary(h, vt.closed);
  } else {
    findings(h, "Closed ports", vt.closed);
  }
  if (!vt.actions.empty()) {
    h.raw("<h3>What to do</h3><ul class=\"actions\">");
    for (const std::string& a : vt.actions) h.el("li", a);
    h.raw("</ul>");
  }
  h.raw("</section>");
}

std::string_view state_class(const probe::port_result* r) {
  if (r == nullptr) return "st-pending";
  switch (r->state) {
    case port_state::open: return "st-open";
    case port_state::closed: return "st-closed";
    case port_state::filtered:
      return r->proto == probe::transport::udp ? "st-filtered" : "st-closed";
    case port_state::stealth: return "st-stealth";
  }
  return "st-pending";
}

// "Open", "No answer", "testing..." for the single-port result's heading.
std::string state_heading(const scan::scan_view& v, const probe::port_result* r, bool udp) {
  if (r == nullptr) return running(v) ? "testing\u2026" : "not tested";
  std::string word(udp ? udp_state_word(r->state) : probe::to_string(r->state));
  word[0] = static_cast<char>(word[0] - 'a' + 'A');
  return word;
}

void udp_heading(html& h, const scan::scan_view& v, std::uint16_t port,
                 const probe::port_result* u) {
  h.raw("<h2>UDP port ").number(port).raw(" from the internet: <span id=\"state-udp\">");
  h.text(state_heading(v, u, true)).raw("</span></h2>");
}

// The UDP verdict on the port's page: what it means, the answer, and for a port that is
// silent by design, the test that can tell.
void udp_single_verdict(html& h, const probe::port_result& u, bool v6) {
  for (const std::string& s : explain_udp_state(u, v6)) h.el("p", s);
  if (u.state == port_state::open && u.udp) udp_answer_detail(h, u);
  if (u.state == port_state::stealth && !udp_silence_note(u.port).empty()) {
    h.raw("<p><a href=\"/reach\">Run the reachability check</a></p>");
  }
  h.raw("<p class=\"muted\" id=\"reason-udp\">");
  h.text(fmt::format("Reason: {}",
                     u.state == port_state::open ? std::string("an answer (udp-answer)")
                     : u.why == probe::reason::icmp_unreachable ? icmp_words(u, v6)
                                                                : std::string("no answer")));
  if (u.rtt) h.text(", answered after " + rtt_text(u.rtt));
  h.raw(".</p>");
}

}  // namespace

page render_scan_result_page(const scan::scan_view& v, const db::database& db,
                             std::string_view cancel_token, bool dual) {
  html h;
  h.raw("<section id=\"scan\" data-id=\"").text(v.id).raw("\" data-events=\"/api/v1/scans/");
  h.text(v.id).raw("/events\" data-phase=\"").text(scan::to_string(v.phase));
  h.raw("\" data-total=\"").number(v.total_ports()).raw("\" data-tcp-total=\"");
  h.number(v.ports.size()).raw("\" data-udp-total=\"").number(v.udp_ports.size()).raw("\">");
  h.raw("<h1>")
      .text(scan::title_of(v.kind))
      .raw(
          "</h1><p class=\"target\">Probing <strong "
          "id=\"target\">");
  h.text(v.target).raw("</strong>, the address your connection comes from.</p>");
  if (auto note = address_note(v.target)) h.raw("<p class=\"note\">").text(*note).raw("</p>");
  h.raw("<p class=\"family\" id=\"family\">").text(family_used_sentence(v.target, dual, true));
  h.raw("</p>");
  progress(h, v, cancel_token);
  // A grid is a link per port (1,056 for the service ports): a keyboard or screen-reader user
  // can jump past it to what the ports add up to (WCAG 2.4.1, bypass blocks).
  if (v.total_ports() > 1) {
    h.raw("<a class=\"skip\" href=\"#after-grid\">Skip the grid of ports: go to ");
    h.text(v.phase == scan::scan_phase::running ? "the ports that answered" : "the verdict");
    h.raw("</a>");
  }
  if (!v.ports.empty()) {
    h.raw(v.udp_ports.empty() ? "<h2>Ports</h2>" : "<h2>TCP ports</h2>");
    legend(h);
    counts(h, v);
    scan_grid(h, v);
  }
  udp_block(h, v);
  h.raw("<div id=\"after-grid\" tabindex=\"-1\"></div>");
  if (v.phase != scan::scan_phase::running) verdict_box(h, make_verdict(v, db));
  if (!v.ports.empty()) answered_list(h, v, db);
  udp_answered_list(h, v);
  ping_box(h, v);
  upnp_box(h, v);
  retention(h, v);
  h.raw("<p><a href=\"/scan\">Run another test</a></p></section>");
  return {fmt::format("{}: {}", scan::title_of(v.kind), phase_words(v)), "scan", live_head(v),
          h.take()};
}

page render_port_probe_page(const scan::scan_view& v, const db::database& db,
                            const page_context& ctx) {
  bool tcp = !v.ports.empty(), udp = !v.udp_ports.empty();
  std::uint16_t port = tcp ? v.ports.ports().front() : udp ? v.udp_ports.ports().front() : 0;
  const probe::port_result* r = v.result.ports.empty() ? nullptr : &v.result.ports.front();
  const probe::port_result* u = v.result.udp.empty() ? nullptr : &v.result.udp.front();
  const probe::port_result* first = tcp ? r : u;
  html h;
  h.raw("<section id=\"scan\" class=\"probe-result ").raw(state_class(first));
  h.raw("\" data-mode=\"single\" data-id=\"").text(v.id).raw("\" data-events=\"/api/v1/scans/");
  h.text(v.id).raw("/events\" data-phase=\"").text(scan::to_string(v.phase)).raw("\">");
  if (tcp) {
    h.raw("<h2>").raw(udp ? "TCP port " : "Port ").number(port);
    h.raw(" from the internet: <span id=\"state\">").text(state_heading(v, r, false));
    h.raw("</span></h2>");
  }
  if (udp && !tcp) udp_heading(h, v, port, u);
  h.raw("<p class=\"target\">Probed address: <strong id=\"target\">").text(v.target);
  h.raw("</strong></p>");
  // A private, shared (CGNAT) or loopback address: "open" means open to whom it can reach.
  if (auto note = address_note(v.target)) h.raw("<p class=\"note\">").text(*note).raw("</p>");
  if (tcp && r != nullptr) {
    for (const std::string& s : explain_port_state(port, r->state, db)) h.el("p", s);
    const db::entry* e = db.find_entry(port);
    if (r->state == port_state::open && e != nullptr) {
      h.raw("<p class=\"advice\"><strong>What to do:</strong> ").text(e->advice).raw("</p>");
    }
    h.raw("<p class=\"muted\">").text(fmt::format("Reason: {}", reason_sentence(*r)));
    if (r->rtt) h.text(", answered after " + rtt_text(r->rtt));
    h.raw(".</p>");
  }
  if (udp) {
    if (tcp) {
      h.raw("<div class=\"probe-result probe-udp ").raw(state_class(u)).raw("\">");
      udp_heading(h, v, port, u);
    }
    if (u != nullptr) udp_single_verdict(h, *u, v.result.target.is_v6());
    if (tcp) h.raw("</div>");
  }
  if ((tcp && r == nullptr) || (udp && u == nullptr)) {
    if (v.phase == scan::scan_phase::failed) {
      h.el("p", v.error.empty() ? "The probe could not run." : v.error);
    }
  }
  std::string_view again = tcp && udp ? "?transport=both" : udp ? "?transport=udp" : "";
  h.raw("<p><a href=\"/port/").number(port).raw("/probe").raw(again).raw("\">Probe again</a></p>");
  retention(h, v);
  h.raw("</section>");
  page base = render_port_page(db, db.lookup(port), ctx);
  base.title = fmt::format("Probe of {}port {}", udp && !tcp ? "UDP " : "", port);
  base.head = live_head(v);
  // Under the port page's own heading, so that the page's outline starts with its h1.
  std::size_t after_h1 = base.body.find("</h1>");
  after_h1 = after_h1 == std::string::npos ? 0 : after_h1 + 5;
  base.body.insert(after_h1, h.take());
  return base;
}

}  // namespace breakwater::site
