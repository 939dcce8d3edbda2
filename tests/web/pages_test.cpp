#include "web/pages.hpp"
#include "../db/test_data.hpp"
#include "web/assets.hpp"
#include "web/site.hpp"

#include <gtest/gtest.h>

namespace breakwater::web {
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
  EXPECT_TRUE(has(full, "href=\"/port/443\" aria-current=\"page\""));
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

TEST(home_page, has_boxes_and_popular_ports) {
  db::database db = db::testing::small_database();
  std::vector<std::uint16_t> popular{22, 443};
  page p = render_home_page(db, popular);
  EXPECT_TRUE(has(p.body, "action=\"/port\""));
  EXPECT_TRUE(has(p.body, "action=\"/search\""));
  EXPECT_TRUE(has(p.body, "<a href=\"/port/22\"><b>22</b> SSH</a>"));
}

}  // namespace
}  // namespace breakwater::web
