// NAT-PMP and STUN: the requests' bytes, coturn's real answers (IPv4 and IPv6, captured on
// loopback), answers built from RFC 6886 and RFC 8489, truncated and foreign bytes.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// --- NAT-PMP

TEST(udp_nat_pmp, request_is_the_external_address_request) {
  auto r = nat_pmp_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "\x00\x00"sv);
}

TEST(udp_nat_pmp, any_answer_is_a_finding) {
  auto r = read_one(nat_pmp_read, from_hex("00 80 0000 00001234 cb007105"));
  EXPECT_EQ(r.summary, "NAT-PMP answer: success, external address 203.0.113.5");
  EXPECT_EQ(r.finding, "nat-pmp-wan");
  r = read_one(nat_pmp_read, from_hex("00 80 0003 00000010"));
  EXPECT_EQ(r.summary,
            "NAT-PMP answer: network failure (the gateway has no usable external address) "
            "(result 3)");
  EXPECT_EQ(r.finding, "nat-pmp-wan");
}

TEST(udp_nat_pmp, refuses_truncated_and_foreign_answers) {
  EXPECT_EQ(findings_in_prefixes(nat_pmp_read, from_hex("00 80 0000 00001234 cb007105")), 0);
  EXPECT_TRUE(read_one(nat_pmp_read, from_hex("00 81 0000 00001234 cb007105")).finding.empty());
  EXPECT_TRUE(read_one(nat_pmp_read, from_hex("00 00")).finding.empty());  // echoed request
  EXPECT_EQ(read_one(nat_pmp_read, "\r\n").summary, "an answer that is not NAT-PMP (2 bytes)");
}

// --- STUN

// coturn 4.6.1 answering the Binding request on 127.0.0.1 and ::1, captured.
const std::string coturn_v4 = from_hex(
    "0101003c2112a44262777374756e70726f626531002000080001f0105e12a443"
    "000100080001d1027f000001802b0008000134a67f00000180220014436f7475"
    "726e2d342e362e312027476f72737427");
const std::string coturn_v6 = from_hex(
    "010100602112a44262777374756e70726f626531002000140002bb9c2112a442"
    "62777374756e70726f6265300001001400029a8e000000000000000000000000"
    "00000001802b0014000234a60000000000000000000000000000000180220014"
    "436f7475726e2d342e362e312027476f72737427");

std::string stun_message(std::string_view type_hex, const std::string& attributes) {
  std::string m = from_hex(type_hex);
  put_u16(m, attributes.size());
  return m + from_hex("2112a442") + "bwstunprobe1" + attributes;
}

TEST(udp_stun, request_is_a_binding_request_without_attributes) {
  auto r = stun_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], from_hex("0001 0000 2112a442") + "bwstunprobe1");
  EXPECT_EQ(r[0].size(), 20u);
}

TEST(udp_stun, reads_coturn_over_ipv4) {
  auto r = read_one(stun_read, coturn_v4);
  EXPECT_EQ(r.summary,
            "STUN binding success, mapped address 127.0.0.1:53506, software "
            "\"Coturn-4.6.1 'Gorst'\"");
  EXPECT_TRUE(r.finding.empty());  // a STUN server is the visitor's own business
}

TEST(udp_stun, reads_coturn_over_ipv6) {
  auto r = read_one(stun_read, coturn_v6);
  EXPECT_EQ(r.summary,
            "STUN binding success, mapped address [::1]:39566, software "
            "\"Coturn-4.6.1 'Gorst'\"");
}

TEST(udp_stun, reads_an_error_response) {
  std::string error = from_hex("0009 0010 0000 0401") + "Unauthorized";
  auto r = read_one(stun_read, stun_message("0111", error));
  EXPECT_EQ(r.summary, "STUN error 401 \"Unauthorized\"");
}

TEST(udp_stun, falls_back_to_the_plain_mapped_address) {
  // RFC 3489 servers: MAPPED-ADDRESS only, not XORed. Unpadded SOFTWARE at the end.
  std::string attributes = from_hex("0001 0008 0001 1f90 c6336407 8022 0003") + "old";
  auto r = read_one(stun_read, stun_message("0101", attributes));
  EXPECT_EQ(r.summary, "STUN binding success, mapped address 198.51.100.7:8080, software \"old\"");
}

TEST(udp_stun, refuses_other_transactions_and_truncation) {
  std::string other = coturn_v4;
  other[19] = 'X';
  EXPECT_TRUE(not_the("STUN", read_one(stun_read, other)));
  EXPECT_TRUE(not_the("STUN", read_one(stun_read, stun_requests()[0])));
  // A header that claims more attributes than came is not a STUN answer.
  for (std::size_t n = 0; n < coturn_v4.size(); ++n)
    EXPECT_TRUE(not_the("STUN", read_one(stun_read, coturn_v4.substr(0, n)))) << n;
  // An attribute that overruns its message ends the list without harm.
  auto r = read_one(stun_read, stun_message("0101", from_hex("8022 00ff 6162")));
  EXPECT_EQ(r.summary, "STUN binding success");
}

}  // namespace
}  // namespace breakwater::probe::udp::test
