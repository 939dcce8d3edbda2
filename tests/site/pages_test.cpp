#include "site/pages.hpp"
#include "site/assets.hpp"
#include "site/site.hpp"
#include "support/test_data.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

page_context http_context() {
  page_context ctx;
  ctx.host = "example.test";
  ctx.http_port = 8080;
  ctx.https_port = 8443;
  return ctx;
}

TEST(port_page, has_the_header_bar_and_registrations_per_transport) {
  db::database db = db::testing::small_database();
  page p = render_port_page(db, db.lookup(443), http_context());
  EXPECT_EQ(p.title, "Port 443 (HTTPS)");
  EXPECT_TRUE(has(p.body, "rel=\"prev\" href=\"/port/"));
  EXPECT_TRUE(has(p.body, "rel=\"next\" href=\"/port/"));
  EXPECT_TRUE(has(p.body, "action=\"/port\""));
  EXPECT_TRUE(has(p.body, "Probe port 443: not offered by this server"));
  EXPECT_TRUE(has(p.body, "<h3>TCP</h3>"));
  EXPECT_TRUE(has(p.body, "<h3>UDP</h3>"));
  EXPECT_TRUE(has(p.body, "<h3>SCTP</h3>"));
  EXPECT_LT(p.body.find("<h3>TCP</h3>"), p.body.find("<h3>UDP</h3>"));
  EXPECT_TRUE(has(p.body, "<h2>HTTPS</h2>"));
  EXPECT_TRUE(has(p.body, "Web traffic protected by TLS encryption."));
  EXPECT_TRUE(has(p.body, "href=\"https://example.test:8443/port/443\""));
  EXPECT_FALSE(has(p.body, "id=\"tls\""));                        // no TLS box over plain HTTP
  EXPECT_FALSE(has(p.head, "probe.js"));                          // nothing to probe with
  EXPECT_TRUE(has(p.body, "<h3 id=\"exposure\">Exposure</h3>"));  // probe.js links to it
}

TEST(port_page, with_the_scan_service_loads_the_inline_probe_script) {
  db::database db = db::testing::small_database();
  page_context ctx = http_context();
  ctx.probe = true;
  page p = render_port_page(db, db.lookup(443), ctx);
  EXPECT_TRUE(has(p.body, "action=\"/port/443/probe\""));  // the no-JS path stays
  EXPECT_TRUE(has(p.head, "<script src=\"" + asset_url("probe.js") + "\" defer></script>"));
}

TEST(port_page, the_probe_offers_the_transports_of_the_entry_or_the_registry) {
  using db::transport;
  std::vector<db::entry> entries{db::testing::make_entry(53, "DNS", "Names."),
                                 db::testing::make_entry(51820, "WireGuard", "A VPN.")};
  entries[0].transports = {transport::udp, transport::tcp};
  entries[1].transports = {transport::udp};
  db::database db({db::testing::row("ssh", 22, 22, transport::tcp, "SSH"),
                   db::testing::row("domain", 53, 53, transport::tcp, "DNS"),
                   db::testing::row("snmp", 161, 161, transport::udp, "SNMP"),
                   db::testing::row("snmp", 161, 161, transport::tcp, "SNMP"),
                   db::testing::row("syslog", 514, 514, transport::udp, "syslog")},
                  std::move(entries));
  page_context ctx = http_context();
  ctx.probe = true;
  auto body = [&](unsigned port) {
    return render_port_page(db, db.lookup(static_cast<std::uint16_t>(port)), ctx).body;
  };
  // TCP only (the entry or the registry says so, or nothing says): one button, as before.
  for (unsigned port : {22U, 4000U}) {
    std::string b = body(port);
    EXPECT_TRUE(has(b,
                    "<button type=\"submit\" id=\"probe-tcp\" data-transport=\"tcp\">Probe "
                    "port " +
                        std::to_string(port) + " on my connection</button></form>"))
        << port;
    EXPECT_FALSE(has(b, "probe-udp")) << port;
  }
  // Both, by the entry (not the registry, which names TCP only for 53).
  std::string dns = body(53);
  EXPECT_TRUE(has(dns,
                  "<span class=\"probe-label\">Probe port 53 on my connection:</span>"
                  "<button type=\"submit\" id=\"probe-tcp\" data-transport=\"tcp\" "
                  "name=\"transport\" value=\"tcp\" aria-label=\"Probe TCP port 53\">TCP"
                  "</button>"));
  EXPECT_TRUE(has(dns,
                  "<button type=\"submit\" id=\"probe-udp\" data-transport=\"udp\" "
                  "name=\"transport\" value=\"udp\" data-protocol=\"DNS\" "
                  "aria-label=\"Probe UDP port 53\">UDP</button>"));
  EXPECT_TRUE(has(body(161), "aria-label=\"Probe UDP port 161\">UDP</button>"));  // by IANA
  // UDP only.
  std::string wg = body(51820);
  EXPECT_TRUE(has(wg, "data-protocol=\"WireGuard\">Probe UDP port 51820 on my connection"));
  EXPECT_FALSE(has(wg, "probe-tcp"));
  EXPECT_TRUE(has(body(514), "data-protocol=\"\">Probe UDP port 514 on my connection"));
}

TEST(port_page, says_honestly_when_there_is_no_entry) {
  db::database db = db::testing::small_database();
  page p = render_port_page(db, db.lookup(830), http_context());
  EXPECT_TRUE(has(p.body, "No details yet"));
  EXPECT_TRUE(has(p.body, "NETCONF over SSH"));
  page unassigned = render_port_page(db, db.lookup(5), http_context());
  EXPECT_TRUE(has(unassigned.body, "Unassigned"));
}

TEST(port_page, related_ports_are_links_with_reasons) {
  std::vector<db::entry> entries{db::testing::make_entry(22, "SSH", "Remote shells.")};
  entries[0].related.push_back({830, "NETCONF runs over SSH.", 1});
  db::database db({db::testing::row("netconf-ssh", 830, 830, db::transport::tcp, "NETCONF")},
                  std::move(entries));
  page p = render_port_page(db, db.lookup(22), http_context());
  EXPECT_TRUE(has(p.body, "<a href=\"/port/830\">830 netconf-ssh</a>: NETCONF runs over SSH."));
}

TEST(port_page, shows_the_tls_box_over_https) {
  db::database db = db::testing::small_database();
  tls_info tls{"TLSv1.3", "TLS_AES_128_GCM_SHA256", "http/1.1", "localhost"};
  cert_info cert{"CN=vm", "CN=vm", "2026-01-01 00:00:00 UTC", "2027-01-01 00:00:00 UTC", "AB:CD"};
  page_context ctx = http_context();
  ctx.https = true;
  ctx.tls = &tls;
  ctx.cert = &cert;
  page p = render_port_page(db, db.lookup(22), ctx);
  for (std::string_view part : {"id=\"tls\"", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "http/1.1",
                                "localhost", "CN=vm", "2027-01-01 00:00:00 UTC", "AB:CD"}) {
    EXPECT_TRUE(has(p.body, part)) << part;
  }
  EXPECT_TRUE(has(p.body, "href=\"http://example.test:8080/port/22\""));
}

TEST(port_page, shows_software_links_ids_and_ianas_extra_columns) {
  std::vector<db::entry> entries{db::testing::make_entry(
      79, "Finger", "Described in RFC 1288; the Morris worm used it (CVE-1999-0612, VU#1).")};
  entries[0].software = {"fingerd", "Cfingerd <2>"};
  entries[0].incidents.push_back({1988, "The Morris worm.", "CA-1988-01"});
  entries[0].incidents.push_back({2008, "Server service flaw.", "MS08-067"});
  entries[0].references.push_back({"RFC 1288", "The Finger User Information Protocol"});
  db::iana_row finger = db::testing::row("finger", 79, 79, db::transport::tcp, "Finger");
  finger.unauthorized_use = "Unauthorized use by some mail users (see [RFC4146] for details)";
  finger.notes = "Defined TXT keys: none";
  finger.reference = "[RFC1288]";
  db::database db({finger}, std::move(entries));
  page p = render_port_page(db, db.lookup(79), http_context());
  EXPECT_TRUE(has(p.body, "<strong>Listens here by default:</strong> fingerd, Cfingerd &lt;2&gt;"));
  EXPECT_TRUE(has(p.body,
                  "<a href=\"https://www.rfc-editor.org/rfc/rfc1288\" rel=\"noopener "
                  "noreferrer\">RFC 1288</a>"));
  EXPECT_TRUE(has(p.body, "href=\"https://www.cve.org/CVERecord?id=CVE-1999-0612\""));
  EXPECT_TRUE(has(p.body, "href=\"https://www.kb.cert.org/vuls/id/1\""));
  EXPECT_TRUE(has(p.body,
                  "href=\"https://learn.microsoft.com/en-us/security-updates/"
                  "securitybulletins/2008/ms08-067\""));
  EXPECT_TRUE(has(p.body, ">RFC1288</a>]")) << "IANA's reference column links too";
  EXPECT_TRUE(has(p.body, "Unauthorized use reported:</strong> Unauthorized use by some mail"));
  EXPECT_TRUE(has(p.body, ">RFC4146</a>") == false) << "IANA's prose stays text";
  EXPECT_TRUE(has(p.body, "Assignment notes:</strong> Defined TXT keys: none"));
  EXPECT_TRUE(has(p.body, "id=\"browsers-refuse\"")) << "79 is a bad port";
  EXPECT_TRUE(has(p.body,
                  "href=\"https://fetch.spec.whatwg.org/#bad-port\" rel=\"noopener "
                  "noreferrer\""));
  page https = render_port_page(db, db.lookup(443), http_context());
  EXPECT_FALSE(has(https.body, "browsers-refuse"));
}

// Every column IANA publishes reaches the page: the contact beside the assignee, the
// modification date, DCCP's service code, and the notes of Unassigned rows.
TEST(port_page, shows_contact_dates_service_codes_and_unassigned_notes) {
  db::iana_row dccp = db::testing::row("discard", 9, 9, db::transport::dccp, "Discard");
  dccp.assignee = "[Eddie_Kohler]";
  dccp.contact = "[Someone_Else]";
  dccp.registration_date = "2006-01-01";
  dccp.modification_date = "2022-02-07";
  dccp.service_code = "1145656131";
  db::iana_row gone = db::testing::row("", 9, 9, db::transport::udp, "Unassigned");
  gone.notes = "De-registered <2001>";
  gone.unauthorized_use = "Known on port 9";
  db::database db({dccp, gone}, {});
  page p = render_port_page(db, db.lookup(9), http_context());
  EXPECT_TRUE(has(p.body, "Contact: [Someone_Else]"));
  EXPECT_TRUE(has(p.body, "Modified 2022-02-07"));
  EXPECT_TRUE(has(p.body, "Service code:</strong> 1145656131"));
  EXPECT_TRUE(has(p.body, "id=\"iana-unassigned\""));
  EXPECT_TRUE(has(p.body, "Assignment notes:</strong> De-registered &lt;2001&gt;"));
  EXPECT_TRUE(has(p.body, "Unauthorized use reported:</strong> Known on port 9"));
  // A port whose only row is a bare Unassigned one has no such table.
  db::database bare({db::testing::row("", 9, 9, std::nullopt, "Unassigned")}, {});
  EXPECT_FALSE(has(render_port_page(bare, bare.lookup(9), http_context()).body, "iana-unassigned"));
}

TEST(port_page, shows_every_range_that_holds_the_port) {
  db::range_note dynamic;
  dynamic.id = "dynamic-ports";
  dynamic.lo = 49152;
  dynamic.hi = 65535;
  dynamic.title = "Dynamic <ports>";
  dynamic.summary = "Never assigned (RFC 6335).";
  dynamic.paragraphs = {"Short-lived client ports; see RFC 6335."};
  dynamic.related.push_back({135, "The endpoint mapper.", 1});
  dynamic.references.push_back({"RFC 6335", "Port procedures"});
  db::range_note linux_range = dynamic;
  linux_range.id = "linux-ephemeral";
  linux_range.lo = 32768;
  linux_range.hi = 60999;
  linux_range.title = "Linux ephemeral";
  db::database db({db::testing::row("epmap", 135, 135, db::transport::tcp, "DCE endpoint")}, {},
                  {dynamic, linux_range});
  page p = render_port_page(db, db.lookup(50123), http_context());
  EXPECT_TRUE(has(p.body, "No details yet"));
  EXPECT_TRUE(has(p.body, "the ranges below say what usually uses ports like it"));
  EXPECT_TRUE(has(p.body, "<h2>Ranges this port is in</h2>"));
  EXPECT_TRUE(has(p.body, "id=\"range-dynamic-ports\""));
  EXPECT_TRUE(has(p.body, "Dynamic &lt;ports&gt;"));
  EXPECT_FALSE(has(p.body, "Dynamic <ports>"));
  EXPECT_LT(p.body.find("range-dynamic-ports"), p.body.find("range-linux-ephemeral"))
      << "narrowest first: 16,384 ports before 28,232";
  EXPECT_TRUE(has(p.body, "<a href=\"/port/135\">135 epmap</a>: The endpoint mapper."));
  EXPECT_TRUE(has(p.body, ">RFC 6335</a>, Port procedures"));
  page outside = render_port_page(db, db.lookup(20000), http_context());
  EXPECT_FALSE(has(outside.body, "id=\"ranges\""));
}

TEST(port_page, escapes_all_text_from_the_data) {
  std::vector<db::entry> entries{
      db::testing::make_entry(22, "<script>alert(1)</script>", "Body with <b>tags</b> & more.")};
  db::database db({db::testing::row("x\"y", 22, 22, db::transport::tcp, "<i>desc</i>")},
                  std::move(entries));
  page p = render_port_page(db, db.lookup(22), http_context());
  EXPECT_FALSE(has(p.body, "<script>"));
  EXPECT_FALSE(has(p.body, "<b>tags"));
  EXPECT_FALSE(has(p.body, "<i>desc"));
  EXPECT_TRUE(has(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(has(p.body, "x&quot;y"));
  std::string full = render_layout(p, {});
  EXPECT_FALSE(has(full, "<script>alert"));
}

TEST(layout, loads_only_external_script_and_marks_the_section) {
  page p{"T<1>", "port", {}, "<p>x</p>"};
  std::vector<nav_link> nav{{"/", "Home", "home"}, {"/port/443", "Ports", "port"}};
  std::string full = render_layout(p, nav);
  EXPECT_TRUE(has(full, "<title>T&lt;1&gt; · breakwater</title>"));
  EXPECT_TRUE(has(full, "<script src=\"/static/site."));
  EXPECT_FALSE(has(full, "<script>"));  // no inline script anywhere
  EXPECT_TRUE(has(full, "href=\"/port/443\" aria-current=\"true\""));
  EXPECT_TRUE(has(full, "name=\"viewport\""));
}

TEST(search_page, lists_ranked_results_and_escapes_the_query) {
  db::database db = db::testing::small_database();
  db::search_index index(db);
  auto hits = index.search("ssh", 10);
  page p = render_search_page(db, "ssh", hits);
  EXPECT_TRUE(has(p.body, "href=\"/port/22\""));
  page evil = render_search_page(db, "<x>", {});
  EXPECT_TRUE(has(evil.body, "&lt;x&gt;"));
  EXPECT_FALSE(has(evil.body, "<x>"));
  EXPECT_TRUE(has(evil.body, "Nothing matched"));
}

TEST(search_page, lists_range_notes_and_names_without_a_port) {
  db::range_note steam;
  steam.id = "steam";
  steam.lo = 27000;
  steam.hi = 27100;
  steam.title = "Steam game traffic";
  steam.summary = "Valve's client & servers.";
  db::iana_row unported;
  unported.service = "steam-dnssd";
  unported.proto = db::transport::tcp;
  unported.description = "Steam <discovery>";
  unported.line = 2;
  db::database db({unported}, {}, {steam});
  db::search_index index(db);
  page p = render_search_page(db, "steam", index.search("steam", 10));
  EXPECT_TRUE(has(p.body,
                  "<a href=\"/port/27000#range-steam\">27000-27100 Steam game traffic</a>: "
                  "Valve&#39;s client &amp; servers."))
      << p.body;
  EXPECT_TRUE(has(p.body,
                  "<b>steam-dnssd</b>: Steam &lt;discovery&gt; (registered without a "
                  "port, tcp)"));
}

TEST(home_page, has_boxes_and_popular_ports) {
  db::database db = db::testing::small_database();
  std::vector<std::uint16_t> popular{22, 443};
  page p = render_home_page(db, popular);
  EXPECT_TRUE(has(p.body, "action=\"/port\""));
  EXPECT_TRUE(has(p.body, "action=\"/search\""));
  EXPECT_TRUE(has(p.body, "<a href=\"/port/22\"><b>22</b> SSH</a>"));
}

// The malware ports come first, each with its summary: a port's title seldom names what
// listened there.
TEST(port_list_page, lists_the_malware_ports_with_what_listened_there) {
  std::vector<db::entry> entries{
      db::testing::make_entry(22, "SSH", "Encrypted remote shell logins."),
      db::testing::make_entry(1022, "RFC 3692-style Experiment 2 (exp2)", "An experiment port.",
                              {"exp2", "worm"}),
  };
  entries[1].summary = "Also where the Sasser.E <worm> opened its remote shell in 2004.";
  db::database db({}, std::move(entries));
  page p = render_port_list_page(db);
  const std::size_t at = p.body.find("<ul class=\"malware-list\" id=\"list-malware\">");
  ASSERT_NE(at, std::string::npos);
  const std::string malware = p.body.substr(at, p.body.find("</ul>", at) - at);
  EXPECT_TRUE(has(malware,
                  "<li><a href=\"/port/1022\"><b>1022</b> RFC 3692-style Experiment 2 "
                  "(exp2)</a><span class=\"why\">Also where the Sasser.E &lt;worm&gt; "
                  "opened its remote shell in 2004.</span></li>"));
  EXPECT_FALSE(has(malware, "/port/22\"")) << "no malware keyword";
  EXPECT_TRUE(has(p.body,
                  "<li><a href=\"/port/1022\"><b>1022</b> RFC 3692-style Experiment 2 "
                  "(exp2)</a></li>"))
      << "and in its range, as every entry";
}

}  // namespace
}  // namespace breakwater::site
