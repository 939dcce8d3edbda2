// SIP: the OPTIONS request's headers, Kamailio's real answer (captured on loopback), answers
// written from RFC 3261, truncated and foreign bytes.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// Kamailio 5.6.3 (Debian 12) answering our OPTIONS, captured.
constexpr std::string_view kamailio_answer =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP breakwater.invalid:5060;branch=z9hG4bK-bw-7d1c5e0a;rport=40826;"
    "received=127.0.0.1\r\n"
    "To: <sip:probe@breakwater.invalid>;tag=a45363010201c12697c26728a1ea42a4.1be3687a\r\n"
    "From: \"breakwater\" <sip:probe@breakwater.invalid>;tag=bw5f3a91\r\n"
    "Call-ID: 6b0f2c4e8d7a@breakwater.invalid\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
    "Content-Length: 0\r\n\r\n";

TEST(udp_sip, request_carries_every_header_rfc_3261_requires) {
  auto r = sip_requests();
  ASSERT_EQ(r.size(), 1u);
  const std::string& m = r[0];
  EXPECT_TRUE(m.starts_with("OPTIONS sip:"));
  EXPECT_NE(m.find(" SIP/2.0\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nVia: SIP/2.0/UDP "), std::string::npos);
  EXPECT_NE(m.find(";branch=z9hG4bK"), std::string::npos);  // RFC 3261 8.1.1.7's cookie
  EXPECT_NE(m.find(";rport"), std::string::npos);           // answer our source port
  EXPECT_NE(m.find("\r\nMax-Forwards: 70\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nTo: <sip:"), std::string::npos);
  EXPECT_NE(m.find(">;tag="), std::string::npos);  // From's tag
  EXPECT_NE(m.find("\r\nCall-ID: "), std::string::npos);
  EXPECT_NE(m.find("\r\nCSeq: 1 OPTIONS\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nContact: <sip:"), std::string::npos);
  EXPECT_TRUE(m.ends_with("\r\nContent-Length: 0\r\n\r\n"));
}

TEST(udp_sip, reads_kamailio) {
  auto r = read_one(sip_read, kamailio_answer);
  EXPECT_EQ(r.summary, "SIP \"200 OK\", server \"kamailio (5.6.3 (x86_64/linux))\"");
  EXPECT_EQ(r.finding, "sip-exposed");
}

TEST(udp_sip, user_agent_when_there_is_no_server_header) {
  auto r = read_one(sip_read,
                    "SIP/2.0 401 Unauthorized\nvia: x\nuser-agent:  FRITZ!OS \x01\n\n"
                    "Server: after the headers\n");
  EXPECT_EQ(r.summary, "SIP \"401 Unauthorized\", server \"FRITZ!OS \\x01\"");
  EXPECT_EQ(read_one(sip_read, "SIP/2.0 404 Not Found\r\n").summary, "SIP \"404 Not Found\"");
}

TEST(udp_sip, refuses_requests_and_foreign_status_lines) {
  EXPECT_TRUE(read_one(sip_read, sip_requests()[0]).finding.empty());  // echoed request
  EXPECT_TRUE(read_one(sip_read, "HTTP/1.1 200 OK\r\n\r\n").finding.empty());
  EXPECT_TRUE(read_one(sip_read, "SIP/2.0 7xx Odd\r\n").finding.empty());
  EXPECT_TRUE(read_one(sip_read, "SIP/2.0 20").finding.empty());
  EXPECT_EQ(read_one(sip_read, "SIP/2.0").summary, "an answer that is not SIP (7 bytes)");
  // Every prefix from "SIP/2.0 200" on is still a SIP status line; none before it is.
  EXPECT_EQ(findings_in_prefixes(sip_read, kamailio_answer),
            static_cast<int>(kamailio_answer.size() - 11));
}

}  // namespace
}  // namespace breakwater::probe::udp::test
