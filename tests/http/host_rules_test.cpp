// The HTTP layer's own defences: Host names answered (DNS rebinding), connections per
// client, the request log without addresses, and the response cache's limits.
#include "http/host_rules.hpp"
#include "http/client_slots.hpp"
#include "http/request_log.hpp"
#include "http/responder.hpp"
#include "support/stub_handler.hpp"

#include <fmt/format.h>
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
  auto a = client_slots::keys_of("198.18.0.2");
  EXPECT_EQ(a.holder, "198.18.0.2");
  EXPECT_EQ(a.wide, "") << "IPv4 has no wider tier";
  std::vector<client_slot> held;
  for (int i = 0; i < 64; ++i) {
    held.emplace_back(slots, a);
    EXPECT_FALSE(held.back().over());
  }
  client_slot extra(slots, a);  // the 65th
  EXPECT_TRUE(extra.over());
  EXPECT_EQ(slots.held(a.holder), 64u);
  // Another client is not affected; an address of the same IPv6 /64 is the same client.
  EXPECT_FALSE(client_slot(slots, client_slots::keys_of("198.18.0.3")).over());
  EXPECT_EQ(client_slots::keys_of("2001:db8:1:2::1").holder,
            client_slots::keys_of("2001:db8:1:2:ffff::9").holder);
  EXPECT_NE(client_slots::keys_of("2001:db8:1:2::1").holder,
            client_slots::keys_of("2001:db8:1:3::1").holder);
  EXPECT_EQ(client_slots::keys_of("::ffff:198.18.0.2").holder, a.holder);
  held.pop_back();
  EXPECT_FALSE(client_slot(slots, a).over());  // a slot given back is free again
  held.clear();
  EXPECT_EQ(slots.held(a.holder), 0u);
}

// A site with a /48 (or a /56: 256 /64s) must not multiply its share by its /64s: the /48
// holds at most wide_tier_factor (4) times what one /64 may.
TEST(client_slots, the_64s_of_one_48_share_four_times_a_clients_slots) {
  client_slots slots(2);
  std::vector<client_slot> held;
  for (int net = 0; net < 4; ++net) {
    auto k = client_slots::keys_of(fmt::format("2001:db8:7:{:x}::1", net * 0x100));
    EXPECT_EQ(k.wide, "2001:db8:7::/48");
    for (int i = 0; i < 2; ++i) {
      held.emplace_back(slots, k);
      EXPECT_FALSE(held.back().over()) << net;
    }
  }
  EXPECT_EQ(slots.held("2001:db8:7::/48"), 8u);
  auto fifth = client_slots::keys_of("2001:db8:7:ff00::1");
  client_slot refused(slots, fifth);
  EXPECT_TRUE(refused.over()) << "a fifth /64 of the same /48, with nothing held yet";
  EXPECT_EQ(slots.held(fifth.holder), 0u) << "a refused slot takes nothing";
  EXPECT_FALSE(client_slot(slots, client_slots::keys_of("2001:db8:8::1")).over()) << "another /48";
  held.pop_back();
  client_slot after(slots, fifth);
  EXPECT_FALSE(after.over()) << "a slot the /48 gave back";
  held.clear();
  EXPECT_EQ(slots.held("2001:db8:7::/48"), 1u);
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

// Every status a handler of ours answers with has its reason phrase (RFC 9110 15) in the
// status line, not "Unknown": the reach test's 201 and 410 once lacked theirs.
TEST(responder, every_status_the_site_uses_has_its_reason_phrase) {
  testing::stub_handler s;
  s.routes().add(method::get, "/status/{n}", [](const request&, const route_params& p) {
    response r;
    r.status = static_cast<unsigned>(std::stoul(std::string(p[0])));
    return r;
  });
  host_rules rules;
  connection_info conn;
  conn.hosts = &rules;
  responder r(s, 512, 64 * 1024);
  const std::vector<std::pair<unsigned, std::string_view>> statuses{{200, "OK"},
                                                                    {201, "Created"},
                                                                    {202, "Accepted"},
                                                                    {204, "No Content"},
                                                                    {302, "Found"},
                                                                    {303, "See Other"},
                                                                    {400, "Bad Request"},
                                                                    {403, "Forbidden"},
                                                                    {404, "Not Found"},
                                                                    {409, "Conflict"},
                                                                    {410, "Gone"},
                                                                    {415, "Unsupported Media Type"},
                                                                    {429, "Too Many Requests"},
                                                                    {503, "Service Unavailable"}};
  for (auto [status, phrase] : statuses) {
    std::string target = "/status/" + std::to_string(status);
    std::vector<header_view> headers{{"Host", "127.0.0.1"}};
    request req;
    req.target = req.path = target;
    req.headers = headers;
    req.conn = &conn;
    std::string head;
    r.respond(req, true, head);
    EXPECT_TRUE(head.starts_with(fmt::format("HTTP/1.1 {} {}\r\n", status, phrase))) << head;
  }
}

}  // namespace
}  // namespace breakwater::http
