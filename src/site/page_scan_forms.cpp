// The scan pages before a scan exists: the choice of tests, the confirm step, refusals.
#include "probe/wire/udp/protocol.hpp"
#include "scan/plan.hpp"
#include "site/address_note.hpp"
#include "site/assets.hpp"
#include "site/dual_stack.hpp"
#include "site/html.hpp"
#include "site/page_scan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace breakwater::site {
namespace {

struct offered_test {
  scan::scan_kind kind;
  std::string_view what;
};

constexpr offered_test offered[] = {
    {scan::scan_kind::common,
     "The ports most often attacked or left open by mistake: a quick "
     "first look."},
    {scan::scan_kind::service,
     "Every port from 0 to 1055, where most well-known services live, "
     "shown as a grid of 32 ports per row."},
    {scan::scan_kind::file_sharing,
     "NetBIOS and SMB, the Windows file sharing ports that should "
     "never be reachable from the internet."},
    {scan::scan_kind::udp, {}},  // its words are built from the protocol table: udp_test_words
    {scan::scan_kind::full,
     "All 65536 ports, paced gently: this takes a while, and you see how "
     "long before it starts."},
    {scan::scan_kind::ping, "Whether your address answers ICMP echo requests (ping)."},
    {scan::scan_kind::upnp,
     "Whether your router answers UPnP discovery from the internet, which "
     "it never should."},
};

// The names of the udp-common services, in port order, each once: "Echo, QOTD, ... WireGuard".
std::string udp_service_names() {
  std::string out;
  std::vector<std::string_view> seen;
  for (std::uint16_t port : probe::udp::common_ports()) {
    std::string_view name = probe::udp::protocol_for(port).name;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string udp_test_words() {
  return fmt::format(
      "The UDP services most often left open or abused to attack others, on their usual {} "
      "ports: {}. Each gets one small request in its own protocol, the question its service "
      "answers. An answer means the service is reachable from the internet; the result says "
      "what it revealed and how many bytes it sends back for each byte asked, which is what "
      "makes a reflector useful to attackers. Silence can mean a firewall, or a service that "
      "answers only requests it expects.",
      probe::udp::common_ports().size(), udp_service_names());
}

void address_line(html& h, std::string_view address) {
  h.raw("<p class=\"target\">The address we will probe: <strong id=\"target\">");
  h.text(address.empty() ? "(unknown)" : address).raw("</strong>. ");
  h.text(
      "That is the address your connection to this server comes from; no other address "
      "can be probed from here.");
  h.raw("</p>");
  if (auto note = address_note(address)) h.raw("<p class=\"note\">").text(*note).raw("</p>");
}

void confirm_link(html& h, scan::scan_kind kind) {
  h.raw("<a href=\"/scan/confirm?kind=").text(scan::to_string(kind)).raw("\">");
  h.text(scan::title_of(kind)).raw("</a>");
}

void describe_probes(html& h, const scan_confirmation& c) {
  h.raw("<h2>What the probes look like</h2><ul class=\"probes\">");
  std::size_t udp_common = probe::udp::common_ports().size();
  if (c.udp_count > 0 || scan::takes_extras(c.order.kind)) {
    std::size_t n = c.udp_count > 0 ? c.udp_count : udp_common;
    h.raw("<li id=\"udp-probes\">")
        .text(fmt::format(
            "{}one small UDP request to each of {} UDP port{}, in the protocol of the service that "
            "usually listens there (a DNS query to port 53, an NTP time request to port 123...), "
            "repeated only if nothing answers. An answer is read and shown to you; nothing is ever "
            "sent after it.",
            c.udp_count > 0 ? "" : "With \u201calso the UDP services\u201d: ", n,
            n == 1 ? "" : "s"));
    h.raw("</li>");
  }
  if (c.port_count > 0) {
    h.raw("<li>").text(fmt::format(
        "A TCP connection request (a SYN packet) to each of the {} port{} from this server. "
        "A port that accepts is sent a reset at once: no data is ever sent, nothing is logged "
        "in.",
        c.port_count, c.port_count == 1 ? "" : "s"));
    h.raw("</li>");
  }
  if (c.order.ping || scan::takes_extras(c.order.kind)) {
    h.raw("<li>").text("ICMP echo requests (ping): a few small packets.").raw("</li>");
  }
  if (c.order.upnp || scan::takes_extras(c.order.kind)) {
    h.raw("<li>")
        .text(
            "One SSDP M-SEARCH request to UDP port 1900, the question a UPnP device "
            "answers with a description of itself.")
        .raw("</li>");
  }
  h.raw("</ul>");
}

void checkbox(html& h, std::string_view name, std::string_view label, bool checked) {
  h.raw("<label class=\"check\"><input type=\"checkbox\" name=\"")
      .text(name)
      .raw("\" value=\"1\"")
      .raw(checked ? " checked" : "")
      .raw("> ")
      .text(label)
      .raw("</label>");
}

// The side-by-side test, shown by dual.js (hidden without JavaScript: the form then tests the
// family this connection uses). Each family's origin is called directly, so each probes the
// address the browser reaches it from.
void dual_section(html& h, const scan_confirmation& c) {
  h.raw("<section id=\"dual\" class=\"dual\" hidden data-ipv4=\"").text(c.origins.ipv4);
  h.raw("\" data-ipv6=\"").text(c.origins.ipv6).raw("\" data-kind=\"");
  h.text(scan::to_string(c.order.kind)).raw("\" data-ports=\"").text(c.order.ports).raw("\">");
  h.raw("<h2>IPv4 and IPv6 side by side</h2><p>")
      .text(
          "Your connection may have two addresses, one per family, and a router often treats "
          "them differently. This runs the test over each and compares what answered.");
  h.raw("</p><button type=\"button\" id=\"dual-start\">Test IPv4 and IPv6 side by side</button>");
  h.raw("<div id=\"dual-finding\" role=\"status\"><p class=\"headline\" id=\"dual-headline\">");
  h.raw("</p><ul id=\"dual-details\"></ul></div><div class=\"families\">");
  for (std::string_view family : {"ipv4", "ipv6"}) {
    h.raw("<div class=\"family\" id=\"fam-").text(family).raw("\"><h3>");
    h.text(family == "ipv4" ? "IPv4" : "IPv6").raw("</h3><p class=\"target\">Probed address: ");
    h.raw("<strong id=\"target-").text(family).raw("\">\u2026</strong></p>");
    h.raw("<p class=\"state\" id=\"state-").text(family).raw("\"></p>");
    h.raw("<p class=\"counts\" id=\"counts-").text(family).raw("\"></p>");
    h.raw("<div class=\"grid compact\" id=\"grid-").text(family).raw("\"></div></div>");
  }
  h.raw("</div></section>");
}

}  // namespace

std::string describe_duration(std::chrono::milliseconds d) {
  long long s = (d.count() + 999) / 1000;
  if (s < 2) return "about a second";
  if (s < 90) return fmt::format("about {} seconds", s);
  long long m = (s + 30) / 60;
  if (m < 60) return fmt::format("about {} minutes", m);
  long long hours = m / 60;
  m %= 60;
  std::string out = fmt::format("about {} hour{}", hours, hours == 1 ? "" : "s");
  if (m > 0) out += fmt::format(" {} minute{}", m, m == 1 ? "" : "s");
  return out;
}

page render_scan_choice_page(std::string_view address, const choice_problem* problem) {
  html h;
  h.raw("<h1>What does the internet see of your connection?</h1>");
  if (problem != nullptr) {
    std::string message = problem->message;
    if (!message.empty() && message[0] >= 'a' && message[0] <= 'z') message[0] -= 'a' - 'A';
    h.raw(
         "<p class=\"error\" role=\"alert\" id=\"scan-problem\"><strong>That test cannot "
         "start:</strong> ")
        .text(message)
        .raw("</p>");
  }
  h.raw("<p class=\"summary\">")
      .text(
          "Choose a test. This server then probes your own address, the way a stranger on the "
          "internet could, and tells you what answered and what to do about it.");
  h.raw("</p>");
  address_line(h, address);
  h.raw("<h2>Tests</h2><ul class=\"tests\" id=\"tests\">");
  for (const offered_test& t : offered) {
    h.raw("<li>");
    confirm_link(h, t.kind);
    h.raw(": ").text(t.kind == scan::scan_kind::udp ? udp_test_words() : std::string(t.what));
    h.raw("</li>");
  }
  h.raw("<li><a href=\"/reach\">Does my port forward reach this machine?</a>: ")
      .text(
          "A nonce sent to one TCP or UDP port of your address, which only the machine that "
          "receives it can send back (works for silent UDP services such as WireGuard).")
      .raw("</li>");
  h.raw("<li><a href=\"/headers\">Browser headers</a>: ")
      .text("What your browser tells every site it visits (no probe is sent).")
      .raw("</li></ul>");
  h.raw(
      "<h2>Ports of your choice</h2><form class=\"custom\" action=\"/scan/confirm\" "
      "method=\"get\"><input type=\"hidden\" name=\"kind\" value=\"custom\">"
      "<label for=\"custom-ports\">Ports</label><input type=\"text\" id=\"custom-ports\" "
      "name=\"ports\" required maxlength=\"200\" placeholder=\"22, 80, 8000-8100\"");
  if (problem != nullptr) {
    h.raw(" value=\"").text(problem->ports).raw("\" aria-invalid=\"true\"");
    h.raw(" aria-describedby=\"scan-problem\"");
  }
  h.raw("><button type=\"submit\">Next</button></form><p class=\"muted\">");
  h.text(
      "Single ports and ranges separated by commas, or a set name: common, service, "
      "file-sharing, all.");
  h.raw("</p><p>")
      .text("To test one port, open its page (for example ")
      .raw("<a href=\"/port/22\">port 22</a>")
      .text(") and use \u201cProbe this port\u201d.")
      .raw("</p>");
  return {"Scan your connection", "scan", {}, h.take()};
}

page render_scan_confirm_page(const scan_confirmation& c) {
  html h;
  std::string_view title = scan::title_of(c.order.kind);
  h.raw("<h1>").text(title).raw("</h1>");
  address_line(h, c.address);
  if (c.order.kind == scan::scan_kind::custom || c.order.kind == scan::scan_kind::single) {
    if (!c.order.ports.empty()) {
      h.raw("<p>").raw(c.order.udp.empty() ? "Ports" : "TCP ports");
      h.raw(": <code id=\"ports\">").text(c.order.ports).raw("</code></p>");
    }
    if (!c.order.udp.empty() && c.order.kind == scan::scan_kind::single) {
      h.raw("<p>UDP port: <code id=\"udp-ports\">").text(c.order.udp).raw("</code></p>");
    }
  }
  describe_probes(h, c);
  h.raw("<h2>How long it takes</h2><p id=\"estimate\">");
  if (c.estimate) {
    std::string how_long = describe_duration(*c.estimate);
    how_long[0] = 'A';  // it starts the sentence
    h.text(fmt::format("{}. You can watch the results arrive and stop the scan at any time.",
                       how_long));
  } else {
    h.text("The server could not estimate it.");
  }
  h.raw("</p><h2>Your data</h2><p>")
      .text(fmt::format(
          "Results are kept in memory only for {} minutes, then forgotten; nothing about you is "
          "written to disk beyond the request log.",
          c.retention.count()));
  h.raw("</p><form class=\"start\" method=\"post\" action=\"").text(c.action).raw("\">");
  h.raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(c.token).raw("\">");
  h.raw("<input type=\"hidden\" name=\"kind\" value=\"").text(scan::to_string(c.order.kind));
  h.raw("\">");
  if (c.order.kind == scan::scan_kind::single) {
    // The one port, and on which transports it is probed.
    bool tcp = !c.order.ports.empty(), udp = !c.order.udp.empty();
    h.raw("<input type=\"hidden\" name=\"ports\" value=\"").text(tcp ? c.order.ports : c.order.udp);
    h.raw("\"><input type=\"hidden\" name=\"transport\" value=\"");
    h.raw(tcp && udp ? "both" : udp ? "udp" : "tcp").raw("\">");
  } else if (!c.order.ports.empty()) {
    h.raw("<input type=\"hidden\" name=\"ports\" value=\"").text(c.order.ports).raw("\">");
  }
  if (scan::takes_extras(c.order.kind)) {
    h.raw("<fieldset><legend>Also test</legend>");
    checkbox(h, "ping", "Ping (ICMP echo), needed for the TruStealth verdict", c.order.ping);
    checkbox(h, "upnp", "UPnP exposure (SSDP on UDP 1900)", c.order.upnp);
    checkbox(h, "udp",
             fmt::format("Also the UDP services (udp-common): {} UDP ports, each asked in its own "
                         "protocol",
                         probe::udp::common_ports().size()),
             !c.order.udp.empty());
    h.raw("</fieldset>");
  }
  h.raw("<button type=\"submit\" id=\"start\">Start: probe ").text(c.address).raw("</button>");
  h.raw("</form>");
  std::string head(form_page_head);
  // The side-by-side test compares TCP ports; the UDP test runs on one family at a time.
  if (c.origins.dual() && c.order.kind != scan::scan_kind::udp) {
    dual_section(h, c);
    head += fmt::format("<script src=\"{}\" defer></script>", asset_url("dual.js"));
  } else if (!c.address.empty()) {
    h.raw("<p class=\"family\" id=\"family\">").text(family_used_sentence(c.address, false, false));
    h.raw("</p>");
  }
  h.raw("<p><a href=\"/scan\">Choose another test</a></p>");
  return {fmt::format("{}: confirm", title), "scan", std::move(head), h.take()};
}

page render_scan_refusal_page(const scan::refusal& r) {
  html h;
  std::string_view heading = r.status == 429   ? "Please wait a little"
                             : r.status == 403 ? "This address cannot be probed"
                             : r.status == 503 ? "The scan service is busy"
                                               : "That scan cannot start";
  h.raw("<h1>").text(heading).raw("</h1><p class=\"summary\" id=\"refusal\">").text(r.message);
  h.raw("</p>");
  if (r.retry_after.count() > 0) {
    h.raw("<p>").text(fmt::format(
        "You can try again in {}.",
        describe_duration(std::chrono::duration_cast<std::chrono::milliseconds>(r.retry_after))
            .substr(6)));
    h.raw("</p>");
  }
  if (r.status == 429 || r.status == 503) {
    h.raw("<h2>Fair use</h2><p>")
        .text(
            "Probing is shared among everyone who uses this server, and each probe is real traffic "
            "to your connection. So each address may run one scan at a time and send a limited "
            "number of probes per hour (an IPv6 /64 counts as one address), and the server runs "
            "only so many scans at once. Nothing is "
            "wrong with your connection: wait a little and try again.");
    h.raw("</p>");
  }
  h.raw("<p><a href=\"/scan\">Back to the tests</a></p>");
  return {std::string(heading), "scan", {}, h.take()};
}

page render_form_rejected_page(std::string_view why) {
  html h;
  h.raw("<h1>This form could not be accepted</h1><p class=\"summary\">").text(why).raw("</p><p>");
  h.text(
      "Scan forms are tied to your address and expire after a while, and they are accepted "
      "only from this site's own pages, so that no other site can start a scan in your "
      "name. Open the test again from this site and confirm it once more.");
  h.raw("</p><p><a href=\"/scan\">Back to the tests</a></p>");
  return {"Form not accepted", "scan", {}, h.take()};
}

}  // namespace breakwater::site
