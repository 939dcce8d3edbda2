// The HTTP layer's own defences: Host names answered (DNS rebinding), connections per
// client, the request log without addresses, and the response cache's limits.
#include "http/host_rules.hpp"
#include "http/client_slots.hpp"
#include "http/request_log.hpp"
#include "http/responder.hpp"
#include "support/stub_handler.hpp"

#include <gtest/gtest.h>

namespace breakwater::http {
namespace {

unsigned check(const host_rules& rules, std::vector<header_view> headers, unsigned version = 11) {
  request req;
  req.version = version;
  req.headers = headers;
  return rules.check(req);
}

TEST(host_rules, answers_names_ip_literals_and_localhost_only) {
  auto names = normalise_server_names({"Ports.Example.org."});
  ASSERT_TRUE(names);
  host_rules rules(*names);
  for (const char* ok : {"ports.example.org", "PORTS.example.org:8443", "ports.example.org.",
                         "198.18.0.1", "198.18.0.1:8080", "[2001:2::1]:8443", "[::1]", "localhost",
                         "localhost:8080", "LOCALHOST"}) {
    EXPECT_EQ(check(rules, {{"Host", ok}}), 0u) << ok;
  }
  // A rebinding name (or any other) gets 421, whatever address it resolved to.
  for (const char* bad : {"evil.example", "evil.example:8080", "ports.example.org.evil.example",
                          "x", "", "2001:2::1", "[::1", "a:b:c"}) {
    EXPECT_EQ(check(rules, {{"Host", bad}}), 421u) << bad;
  }
  // HTTP/1.1 needs exactly one Host (RFC 9112, 3.2); HTTP/1.0 may leave it out.
  EXPECT_EQ(check(rules, {}), 400u);
  EXPECT_EQ(check(rules, {}, 10), 0u);
  EXPECT_EQ(check(rules, {{"Host", "198.18.0.1"}, {"host", "198.18.0.1"}}), 400u);
  // With no names configured only IP literals and localhost are answered.
  EXPECT_EQ(check(host_rules{}, {{"Host", "ports.example.org"}}), 421u);
  EXPECT_EQ(check(host_rules{}, {{"Host", "127.0.0.1:8080"}}), 0u);
}

TEST(host_rules, server_names_are_validated_once) {
  for (const char* bad :
       {"http://a.example", "a.example:443", "a.example/x", "", "-a.example", "a b.example"}) {
    EXPECT_FALSE(normalise_server_names({bad})) << bad;
  }
  auto dup = normalise_server_names({"A.example", "a.example."});
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->size(), 1u);
}

TEST(client_slots, one_client_cannot_take_every_connection) {
  client_slots slots(64);
  std::string a = client_slots::key_of("198.18.0.2");
  std::vector<client_slot> held;
  for (int i = 0; i < 64; ++i) {
    held.emplace_back(slots, a);
    EXPECT_FALSE(held.back().over());
  }
  client_slot extra(slots, a);  // the 65th
  EXPECT_TRUE(extra.over());
  EXPECT_EQ(slots.held(a), 64u);
  // Another client is not affected; an address of the same IPv6 /64 is the same client.
  EXPECT_FALSE(client_slot(slots, client_slots::key_of("198.18.0.3")).over());
  EXPECT_EQ(client_slots::key_of("2001:db8:1:2::1"), client_slots::key_of("2001:db8:1:2:ffff::9"));
  EXPECT_NE(client_slots::key_of("2001:db8:1:2::1"), client_slots::key_of("2001:db8:1:3::1"));
  EXPECT_EQ(client_slots::key_of("::ffff:198.18.0.2"), a);
  held.pop_back();
  EXPECT_FALSE(client_slot(slots, a).over());  // a slot given back is free again
  held.clear();
  EXPECT_EQ(slots.held(a), 0u);
}

TEST(responder, keeps_no_errors_and_stays_within_its_byte_budget) {
  // A shareable page of a few kilobytes per path, as the port pages are.
  testing::stub_handler s;
  s.routes().add(method::get, "/port/{n}", [](const request&, const route_params& p) {
    response r;
    r.body = "<p>port " + std::string(p[0]) + "</p>" + std::string(4096, ' ');
    r.shareable = true;
    r.cache = cache_policy::revalidate;
    return r;
  });
  host_rules rules;
  connection_info conn;
  conn.hosts = &rules;
  responder r(s, 512, 64 * 1024);
  std::string head;
  auto get = [&](std::string_view target, std::string_view host = "127.0.0.1") {
    std::vector<header_view> headers{{"Host", host}};
    request req;
    req.target = req.path = target;
    req.headers = headers;
    req.conn = &conn;
    return r.respond(req, true, head);
  };
  EXPECT_EQ(get("/port/443").status, 200u);
  EXPECT_EQ(get("/port/443", "rebound.example").status, 421u);
  // Many different pages: the cache never holds more than its budget (checked by a page
  // still being served correctly after thousands of insertions that each evict).
  for (int i = 0; i < 3000; ++i) EXPECT_EQ(get("/port/" + std::to_string(i)).status, 200u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(get("/nothing/" + std::to_string(i)).status, 404u);
  EXPECT_LE(r.cached_bytes(), 64u * 1024u);
  EXPECT_GT(r.cached_bytes(), 0u);
}

}  // namespace
}  // namespace breakwater::http
