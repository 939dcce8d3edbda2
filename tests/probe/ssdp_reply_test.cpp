// The SSDP answer parser and the M-SEARCH request.
#include "probe/wire/ssdp_reply.hpp"

#include <gtest/gtest.h>

namespace {

using namespace breakwater::probe;

TEST(ssdp_reply, reads_status_and_headers) {
  auto r = parse_ssdp_reply(
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nst: upnp:rootdevice\r\n"
      "Location: http://198.18.0.2:5000/rootDesc.xml\r\nSERVER: Linux UPnP/1.1 test/1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_line, "HTTP/1.1 200 OK");
  ASSERT_EQ(r->headers.size(), 4u);
  EXPECT_EQ(r->headers[1], (std::pair<std::string, std::string>{"ST", "upnp:rootdevice"}));
  EXPECT_EQ(r->headers[2].second, "http://198.18.0.2:5000/rootDesc.xml");
}

TEST(ssdp_reply, tolerates_bare_newlines_and_junk_lines) {
  auto r = parse_ssdp_reply("HTTP/1.0 200 OK\nno colon here\n:empty name\nA:  b \n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->headers.size(), 1u);
  EXPECT_EQ(r->headers[0].second, "b");
}

TEST(ssdp_reply, refuses_what_is_not_an_answer) {
  EXPECT_FALSE(parse_ssdp_reply(""));
  EXPECT_FALSE(parse_ssdp_reply("M-SEARCH * HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_ssdp_reply(std::string_view("\0\1\2", 3)));
}

TEST(ssdp_reply, limits_size_and_strips_control_characters) {
  std::string big = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 100; ++i)
    big += "X" + std::to_string(i) + ": " + std::string(600, 'v') + "\r\n";
  auto r = parse_ssdp_reply(big);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers.size(), 64u);
  EXPECT_EQ(r->headers[0].second.size(), 512u);
  auto c = parse_ssdp_reply(std::string_view("HTTP/1.1 200 OK\r\nA: x\x1by\r\n"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->headers[0].second, "x y");
}

TEST(ssdp_reply, msearch_is_a_unicast_discovery_request) {
  std::string m = make_msearch("198.18.0.2", 1900);
  EXPECT_EQ(m.rfind("M-SEARCH * HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(m.find("HOST: 198.18.0.2:1900\r\n"), std::string::npos);
  EXPECT_NE(m.find("MAN: \"ssdp:discover\"\r\n"), std::string::npos);
  EXPECT_EQ(m.substr(m.size() - 4), "\r\n\r\n");
}

}  // namespace
