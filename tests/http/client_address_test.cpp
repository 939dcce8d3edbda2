// Who a request comes from: address blocks, X-Forwarded-For, Forwarded (RFC 7239), the
// PROXY protocol, and the rule that only trusted proxies may name the client.
#include "http/client_address.hpp"
#include "common/cidr.hpp"
#include "http/forwarded.hpp"
#include "http/proxy_protocol.hpp"

#include <gtest/gtest.h>

namespace breakwater::http {
namespace {

common::cidr_list list_of(std::initializer_list<const char*> items) {
  common::cidr_list l;
  for (const char* i : items) l.add(*common::parse_cidr(i));
  return l;
}

TEST(cidr, parses_blocks_and_bare_addresses) {
  auto a = common::parse_cidr("198.18.0.0/15");
  ASSERT_TRUE(a);
  EXPECT_EQ(to_string(*a), "198.18.0.0/15");
  EXPECT_TRUE(a->contains(*common::parse_ip("198.19.255.255")));
  EXPECT_FALSE(a->contains(*common::parse_ip("198.20.0.0")));
  EXPECT_EQ(to_string(*common::parse_cidr("198.18.7.9/16")), "198.18.0.0/16");  // host bits cleared
  EXPECT_EQ(to_string(*common::parse_cidr("2001:2::1")), "2001:2::1/128");
  auto six = common::parse_cidr("2001:2::/48");
  ASSERT_TRUE(six);
  EXPECT_TRUE(six->contains(*common::parse_ip("2001:2:0:ffff::1")));
  EXPECT_FALSE(six->contains(*common::parse_ip("2001:3::1")));
  EXPECT_FALSE(six->contains(*common::parse_ip("198.18.0.1")));
  for (const char* bad :
       {"", "/8", "1.2.3.4/33", "::/129", "1.2.3.4/", "1.2.3.4/x", "host/8", "1.2.3.4/08x"}) {
    EXPECT_FALSE(common::parse_cidr(bad)) << bad;
  }
  EXPECT_NE(common::parse_cidr("1.2.3.4/40").error().find("0 to 32"), std::string::npos);
}

TEST(cidr, mapped_ipv4_counts_as_ipv4) {
  auto l = list_of({"198.18.0.0/15"});
  EXPECT_TRUE(l.contains("::ffff:198.18.0.5"));
  EXPECT_EQ(to_string(*common::parse_ip("::ffff:198.18.0.5")), "198.18.0.5");
  EXPECT_FALSE(l.contains("not an address"));
  EXPECT_FALSE(common::cidr_list{}.contains("198.18.0.5"));
}

TEST(forwarded, x_forwarded_for_lists_hops_client_first) {
  auto h =
      parse_x_forwarded_for(" 203.0.113.7, 198.18.0.9:4711 ,[2001:2::5]:80,unknown, 2001:2::6");
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0], "203.0.113.7");
  EXPECT_EQ(h[1], "198.18.0.9");
  EXPECT_EQ(h[2], "2001:2::5");
  EXPECT_FALSE(h[3]);
  EXPECT_EQ(h[4], "2001:2::6");
  EXPECT_TRUE(parse_x_forwarded_for("").empty());
}

TEST(forwarded, rfc7239_for_parameters) {
  auto h = parse_forwarded(
      R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", )"
      R"(for=unknown, proto=https, for="_hidden", for="198.18.0.1,x")");
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h[0], "192.0.2.60");
  EXPECT_EQ(h[1], "2001:db8:cafe::17");
  EXPECT_FALSE(h[2]);
  EXPECT_FALSE(h[3]);  // an element without for=
  EXPECT_FALSE(h[4]);
  EXPECT_FALSE(h[5]);  // a comma inside quotes is no separator; the value is no address
}

client_trust trust_of(std::initializer_list<const char*> items,
                      client_header h = client_header::x_forwarded_for) {
  client_trust t;
  t.trusted_proxies = list_of(items);
  t.header = h;
  return t;
}

TEST(client_address, only_trusted_peers_are_heard) {
  auto trust = trust_of({"198.18.0.3/32", "10.0.0.0/8"});
  forwarded_hops hops{std::string("198.18.0.9"), std::string("10.1.1.1")};
  // Untrusted peer: whatever it says, the peer is the client.
  EXPECT_EQ(resolve_client("198.18.0.2", hops, trust), "198.18.0.2");
  EXPECT_EQ(resolve_client("198.18.0.3", hops, client_trust{}), "198.18.0.3");
  // Trusted peer: the right-most hop that is not a trusted proxy.
  EXPECT_EQ(resolve_client("198.18.0.3", hops, trust), "198.18.0.9");
  // A client cannot push its own choice past a trusted hop: the left-most entries are
  // whatever the client sent, the right-most untrusted one is what the proxy saw.
  forwarded_hops spoof{std::string("198.18.0.50"), std::string("198.18.0.9")};
  EXPECT_EQ(resolve_client("198.18.0.3", spoof, trust), "198.18.0.9");
  // Nothing usable before an untrusted hop: no known client, never the proxy itself.
  forwarded_hops unknown{std::string("198.18.0.50"), std::nullopt};
  EXPECT_EQ(resolve_client("198.18.0.3", unknown, trust), std::nullopt);
  EXPECT_EQ(resolve_client("198.18.0.3", {}, trust), std::nullopt);
  forwarded_hops only_proxies{std::string("10.0.0.1"), std::string("198.18.0.3")};
  EXPECT_EQ(resolve_client("198.18.0.3", only_proxies, trust), std::nullopt);
}

// The resolution matrix: each header x trusted / untrusted peer x what the header holds.
struct matrix_case {
  client_header header;
  std::vector<header_view> headers;
  std::optional<std::string> from_trusted;  // the client when the peer is the proxy
};

TEST(client_address, resolution_matrix) {
  const std::string peer_proxy = "198.18.0.3", peer_client = "198.18.0.2";
  using h = client_header;
  std::vector<matrix_case> cases{
      // The chosen header, well formed.
      {h::x_forwarded_for, {{"X-Forwarded-For", "198.18.0.9"}}, "198.18.0.9"},
      {h::forwarded, {{"Forwarded", "for=198.18.0.9;proto=https"}}, "198.18.0.9"},
      {h::x_real_ip, {{"X-Real-IP", "198.18.0.9"}}, "198.18.0.9"},
      // Field lines of one header are one list; the right-most untrusted entry wins.
      {h::x_forwarded_for,
       {{"X-Forwarded-For", "203.0.113.9"}, {"x-forwarded-for", "198.18.0.9"}},
       "198.18.0.9"},
      {h::forwarded,
       {{"Forwarded", "for=203.0.113.9"}, {"Forwarded", "for=198.18.0.9"}},
       "198.18.0.9"},
      // Only the chosen header is read: another one naming a bystander changes nothing.
      {h::x_forwarded_for,
       {{"Forwarded", "for=203.0.113.9"},
        {"X-Real-IP", "203.0.113.9"},
        {"X-Forwarded-For", "198.18.0.9"}},
       "198.18.0.9"},
      {h::forwarded, {{"X-Forwarded-For", "203.0.113.9"}}, std::nullopt},
      {h::x_real_ip, {{"X-Forwarded-For", "203.0.113.9"}}, std::nullopt},
      {h::none, {{"X-Forwarded-For", "198.18.0.9"}, {"Forwarded", "for=198.18.0.9"}}, std::nullopt},
      // Missing, unknown, obfuscated, garbage, empty: no known client.
      {h::x_forwarded_for, {}, std::nullopt},
      {h::x_forwarded_for, {{"X-Forwarded-For", "unknown"}}, std::nullopt},
      {h::x_forwarded_for, {{"X-Forwarded-For", "not an address"}}, std::nullopt},
      {h::x_forwarded_for, {{"X-Forwarded-For", ""}}, std::nullopt},
      {h::forwarded, {{"Forwarded", "for=unknown"}}, std::nullopt},
      {h::forwarded, {{"Forwarded", "for=_hidden"}}, std::nullopt},
      {h::forwarded, {{"Forwarded", "proto=https"}}, std::nullopt},
      {h::x_real_ip, {{"X-Real-IP", "198.18.0.9, 198.18.0.10"}}, std::nullopt},
      {h::x_real_ip, {{"X-Real-IP", "garbage"}}, std::nullopt},
      // A spoofed prefix stays a prefix; "unknown" to the right of the client stops the walk.
      {h::x_forwarded_for, {{"X-Forwarded-For", "203.0.113.9, 198.18.0.9"}}, "198.18.0.9"},
      {h::x_forwarded_for, {{"X-Forwarded-For", "198.18.0.9, unknown"}}, std::nullopt},
      // A quote the client leaves open must not swallow what the proxy appends after it.
      {h::forwarded, {{"Forwarded", "for=203.0.113.9;x=\", for=198.18.0.9"}}, std::nullopt},
      {h::forwarded, {{"Forwarded", "for=203.0.113.9;x=\"\\\", for=198.18.0.9"}}, std::nullopt},
      {h::x_forwarded_for, {{"X-Forwarded-For", "203.0.113.9\", 198.18.0.9"}}, std::nullopt},
      // Only trusted proxies named: nobody.
      {h::x_forwarded_for, {{"X-Forwarded-For", "198.18.0.3"}}, std::nullopt},
      // IPv4-mapped IPv6 is the IPv4 address; IPv6 with a zone is no address.
      {h::x_forwarded_for, {{"X-Forwarded-For", "::ffff:198.18.0.9"}}, "198.18.0.9"},
      {h::forwarded, {{"Forwarded", "for=\"[::ffff:198.18.0.9]:80\""}}, "198.18.0.9"},
      {h::x_forwarded_for, {{"X-Forwarded-For", "2001:2::9"}}, "2001:2::9"},
      {h::x_forwarded_for, {{"X-Forwarded-For", "fe80::1%eth0"}}, std::nullopt},
      {h::forwarded, {{"Forwarded", "for=\"[fe80::1%25eth0]\""}}, std::nullopt},
      // Loopback named by the proxy is just an address: the target policy refuses it later.
      {h::x_forwarded_for, {{"X-Forwarded-For", "127.0.0.1"}}, "127.0.0.1"},
  };
  for (const matrix_case& c : cases) {
    client_trust trust = trust_of({"198.18.0.3"}, c.header);
    connection_info conn;
    conn.trust = &trust;
    request req;
    req.headers = c.headers;
    req.conn = &conn;
    std::string what = std::string(to_string(c.header)) + " " +
                       (c.headers.empty() ? "-" : std::string(c.headers.back().value));
    conn.client_address = peer_proxy;
    EXPECT_EQ(client_address(req), c.from_trusted) << what;
    EXPECT_FALSE(client_is_peer(req)) << what;
    // From a peer that is no trusted proxy, the headers never count.
    conn.client_address = peer_client;
    EXPECT_EQ(client_address(req), peer_client) << what;
    EXPECT_TRUE(client_is_peer(req)) << what;
  }
}

TEST(client_address, proxy_protocol_without_address_leaves_no_client) {
  connection_info conn;
  conn.client_address = "198.18.0.3";
  conn.proxy_peer = "198.18.0.3";
  conn.client_known = false;  // PROXY UNKNOWN / v2 LOCAL
  request req;
  req.conn = &conn;
  EXPECT_EQ(client_address(req), std::nullopt);
  // A PROXY header that named the client: that address, with no RTT of ours.
  conn.client_known = true;
  conn.client_address = "198.18.0.9";
  EXPECT_EQ(client_address(req), "198.18.0.9");
  EXPECT_FALSE(client_is_peer(req));
}

// After a PROXY header no header counts: the bytes are the client's own (a local user
// connecting through HAProxy, say), so a header there would let it name anyone. The client
// is the address the PROXY header named, or nobody when that is a trusted proxy's own
// (never the proxy: the same rule as a header naming only proxies).
TEST(client_address, after_a_proxy_header_no_header_is_read) {
  for (client_header h :
       {client_header::x_forwarded_for, client_header::forwarded, client_header::x_real_ip}) {
    SCOPED_TRACE(to_string(h));
    client_trust trust = trust_of({"127.0.0.1/32", "198.18.0.3"}, h);
    connection_info conn;
    conn.trust = &trust;
    conn.proxy_peer = "198.18.0.3";
    const std::vector<header_view> spoof{
        {to_string(h), h == client_header::forwarded ? "for=192.0.2.7" : "192.0.2.7"}};
    request req;
    req.conn = &conn;
    req.headers = spoof;
    for (std::string trusted : {"127.0.0.1", "198.18.0.3"}) {
      conn.client_address = trusted;
      EXPECT_EQ(client_address(req), std::nullopt) << trusted;
      EXPECT_FALSE(header_names_client(conn));
    }
    conn.client_address = "198.18.0.9";
    EXPECT_EQ(client_address(req), "198.18.0.9");
    EXPECT_FALSE(client_is_peer(req));
  }
}

// With no header configured, a trusted peer names nobody and is one client itself: its
// connections are counted (a local user connecting straight to a listener).
TEST(client_address, a_trusted_peer_without_a_header_names_nobody) {
  client_trust trust = trust_of({"127.0.0.1/32"}, client_header::none);
  connection_info conn;
  conn.trust = &trust;
  conn.client_address = "127.0.0.1";
  const std::vector<header_view> spoof{{"X-Forwarded-For", "192.0.2.7"}};
  request req;
  req.conn = &conn;
  req.headers = spoof;
  EXPECT_EQ(client_address(req), std::nullopt);
  EXPECT_FALSE(header_names_client(conn));
  client_trust with_header = trust_of({"127.0.0.1/32"}, client_header::x_forwarded_for);
  conn.trust = &with_header;
  EXPECT_TRUE(header_names_client(conn));
  EXPECT_EQ(client_address(req), "192.0.2.7");
}

// Who asks (for /metrics' access rule): the client a trusted proxy named, else the TCP peer,
// never an address only a header of the peer's own claims.
TEST(client_address, the_asker_is_the_named_client_or_the_peer_itself) {
  client_trust trust = trust_of({"198.18.0.1"}, client_header::x_forwarded_for);
  connection_info conn;
  conn.trust = &trust;
  request req;
  req.conn = &conn;
  const std::vector<header_view> xff{{"X-Forwarded-For", "192.0.2.7"}};
  req.headers = xff;
  conn.client_address = "198.18.0.1";  // the proxy, naming its client
  EXPECT_EQ(asking_address(req), "192.0.2.7");
  conn.client_address = "198.18.1.5";  // not a proxy: its header is its own claim
  EXPECT_EQ(asking_address(req), "198.18.1.5");
  const std::vector<header_view> only_proxies{{"X-Forwarded-For", "198.18.0.1"}};
  req.headers = only_proxies;
  conn.client_address = "198.18.0.1";  // relayed, naming nobody usable: nobody we know
  EXPECT_EQ(asking_address(req), "");
  req.headers = {};
  conn.client_address = "198.18.0.1";  // the proxy's own request (a scraper beside it)
  EXPECT_EQ(asking_address(req), "198.18.0.1");
  // PROXY headers: the address named, or for LOCAL the proxy that connected.
  conn.proxy_peer = "198.18.0.1";
  conn.client_address = "192.0.2.8";
  EXPECT_EQ(asking_address(req), "192.0.2.8");
  conn.client_address = "198.18.0.1";
  conn.client_known = false;
  EXPECT_EQ(asking_address(req), "198.18.0.1");
  request none;
  EXPECT_EQ(asking_address(none), "");
}

std::string v2(std::uint8_t cmd, std::uint8_t fam, std::string addresses) {
  std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
  h.push_back(static_cast<char>(0x20 | cmd));
  h.push_back(static_cast<char>(fam));
  h.push_back(static_cast<char>(addresses.size() >> 8));
  h.push_back(static_cast<char>(addresses.size() & 0xff));
  return h + addresses;
}

TEST(proxy_protocol, version_1) {
  std::string text = "PROXY TCP4 198.18.0.9 198.18.0.1 40000 8080\r\nGET / HTTP/1.1\r\n";
  auto p = parse_proxy_header(text);
  ASSERT_EQ(p.status, proxy_status::ok);
  EXPECT_EQ(p.header.length, 45u);
  EXPECT_TRUE(p.header.has_address);
  EXPECT_EQ(p.header.source, "198.18.0.9");
  EXPECT_EQ(p.header.source_port, 40000);
  auto six = parse_proxy_header("PROXY TCP6 2001:2::9 2001:2::1 1 2\r\n");
  ASSERT_EQ(six.status, proxy_status::ok);
  EXPECT_EQ(six.header.source, "2001:2::9");
  auto unknown = parse_proxy_header("PROXY UNKNOWN whatever\r\n");
  ASSERT_EQ(unknown.status, proxy_status::ok);
  EXPECT_FALSE(unknown.header.has_address);
  EXPECT_EQ(parse_proxy_header("PROXY TCP4 198.18").status, proxy_status::incomplete);
  EXPECT_EQ(parse_proxy_header("PRO").status, proxy_status::incomplete);
  EXPECT_EQ(parse_proxy_header("GET / HTTP/1.1\r\n").status, proxy_status::none);
  EXPECT_EQ(parse_proxy_header("POST /").status, proxy_status::none);
  for (const char* bad :
       {"PROXY TCP4 1.2.3.4 1.2.3.4 1 70000\r\n", "PROXY TCP4 2001:2::1 1.2.3.4 1 2\r\n",
        "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n",
        "PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n"}) {
    EXPECT_EQ(parse_proxy_header(bad).status, proxy_status::invalid) << bad;
  }
  EXPECT_EQ(parse_proxy_header("PROXY " + std::string(120, 'x')).status, proxy_status::invalid);
}

TEST(proxy_protocol, version_2) {
  std::string v4 = v2(1, 0x11, std::string("\xc6\x12\x00\x09\xc6\x12\x00\x01\x9c\x40\x1f\x90", 12));
  auto p = parse_proxy_header(v4 + "GET /");
  ASSERT_EQ(p.status, proxy_status::ok);
  EXPECT_EQ(p.header.length, 28u);
  EXPECT_EQ(p.header.source, "198.18.0.9");
  EXPECT_EQ(p.header.source_port, 40000);
  std::string a6(36, '\0');
  a6[0] = 0x20, a6[1] = 0x01, a6[3] = 0x02, a6[15] = 0x09;
  auto six = parse_proxy_header(v2(1, 0x21, a6 + "tlv!"));
  ASSERT_EQ(six.status, proxy_status::ok);
  EXPECT_EQ(six.header.source, "2001:2::9");
  EXPECT_EQ(six.header.length, 16u + 40u);
  auto local = parse_proxy_header(v2(0, 0x00, ""));
  ASSERT_EQ(local.status, proxy_status::ok);
  EXPECT_FALSE(local.header.has_address);
  EXPECT_EQ(parse_proxy_header(v4.substr(0, 20)).status, proxy_status::incomplete);
  EXPECT_EQ(parse_proxy_header(v4.substr(0, 5)).status, proxy_status::incomplete);
  EXPECT_EQ(parse_proxy_header(v2(1, 0x11, "short")).status, proxy_status::invalid);
  std::string bad_version = v4;
  bad_version[12] = 0x31;
  EXPECT_EQ(parse_proxy_header(bad_version).status, proxy_status::invalid);
}

}  // namespace
}  // namespace breakwater::http
