// OpenVPN, IKE, QUIC and WireGuard: the requests' bytes, real answers of OpenVPN 2.6 and
// strongSwan 5.9 (captured on loopback and in a network namespace of the test run), answers
// built from RFC 7296, RFC 2408 and RFC 9000, truncated and foreign bytes.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// --- OpenVPN

// OpenVPN 2.6.14 in tls-server mode without tls-auth, captured.
const std::string openvpn_answer = from_hex("40667d2ed3c6b4c94b010000000062776f76706e303100000000");

TEST(udp_openvpn, request_is_a_hard_reset_v2_without_hmac) {
  auto r = openvpn_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], from_hex("38") + "bwovpn01" + from_hex("00 00000000"));
}

TEST(udp_openvpn, reads_the_server_reset) {
  auto r = read_one(openvpn_read, openvpn_answer);
  EXPECT_EQ(r.summary, "OpenVPN server (answers without tls-auth/tls-crypt)");
  EXPECT_TRUE(r.finding.empty());
  // No ack yet: still the server's reset.
  r = read_one(openvpn_read, from_hex("40 1122334455667788 00 00000000"));
  EXPECT_EQ(r.summary, "OpenVPN server (answers without tls-auth/tls-crypt)");
}

TEST(udp_openvpn, refuses_other_sessions_opcodes_and_truncation) {
  std::string other = openvpn_answer;
  other[14] = 'X';  // the acknowledged session is not ours
  EXPECT_TRUE(not_the("OpenVPN", read_one(openvpn_read, other)));
  EXPECT_TRUE(not_the("OpenVPN", read_one(openvpn_read, openvpn_requests()[0])));
  for (std::size_t n = 0; n < openvpn_answer.size(); ++n)
    EXPECT_TRUE(not_the("OpenVPN", read_one(openvpn_read, openvpn_answer.substr(0, n)))) << n;
}

// --- IKE

// strongSwan 5.9.8 without a matching connection, and with one for aes128-sha1-modp2048.
const std::string strongswan_no_proposal =
    from_hex("6277696b650000016bf8315b36f91ce329202220000000000000002400000008 0000000e");
const std::string strongswan_accepted = from_hex(
    "6277696b65000001045cab5b95b2c38621202220000000000000018822000030"
    "0000002c010100040300000c0100000c800e0080030000080300000203000008"
    "02000002000000080400000e28000108000e000033cc6f826ba88b169bf0070e"
    "9307407e9cf7d3d1b0cc11270032c6255f373af1bc7c4b311cc9380e5872f3bb"
    "647f06f95f233b614644616117b767339a5baea72fb23a22294858c18e47affb"
    "e18ffcac81871f68344e9fb708cca750e68d233b2889a47893a5400ec280ae18"
    "af32628c80cc5d7ee41df08cd1104d2ce9fe3a8500f4752c59dee7570171f9c5"
    "f63bfa94904703b850ea085e410ceb63309d68da6cc3849671caa3fa65fcac70"
    "c9c0e3c3482884e4f2731c8770ac4407d63bd46a3f7c149319a41a04794e05ca"
    "fce3309cef2039ca6d82ca4b8ac154ff9938657c3d2e0fc011325eb9ae8ccfd8"
    "c3fb2c1bb3491c2c16ab9e120d384bd5a237cadc29000024d82e896b432067fc"
    "71346fd3ef76dc3c731b41cd8ae55f31d5d968a7b7e540dd2900000800004022"
    "0000000800004014");
// The same on the NAT-T port, behind the non-ESP marker.
const std::string strongswan_natt_no_proposal = from_hex(
    "000000006277696b65000001efb0045acbeff16a292022200000000000000024"
    "000000080000000e");

const std::string our_spi = from_hex("6277696b65000001");

// An IKE message answering ours: header (RFC 7296 3.1) and payloads as given.
std::string ike_answer(int version, int exchange, int flags, int first_payload,
                       const std::string& payloads) {
  std::string m =
      our_spi + from_hex("a1a2a3a4a5a6a7a8") + bytes({first_payload, version, exchange, flags});
  put_u32(m, 0);
  put_u32(m, static_cast<std::uint32_t>(28 + payloads.size()));
  return m + payloads;
}

TEST(udp_ike, request_is_an_ike_sa_init_with_one_proposal) {
  auto r = ike_requests();
  ASSERT_EQ(r.size(), 1u);
  const std::string& m = r[0];
  ASSERT_EQ(m.size(), 376u);
  EXPECT_EQ(m.substr(0, 8), our_spi);
  EXPECT_EQ(m.substr(8, 8), std::string(8, '\0'));
  // Next payload SA, version 2.0, IKE_SA_INIT, Initiator, message id 0, length.
  EXPECT_EQ(m.substr(16, 12), from_hex("21 20 22 08 00000000 00000178"));
  // SA: one proposal for IKE with AES-CBC-128, PRF-HMAC-SHA1, HMAC-SHA1-96, group 14.
  EXPECT_EQ(m.substr(28, 48), from_hex("22000030 0000002c 01010004"
                                       "0300000c 0100000c 800e0080"
                                       "03000008 02000002"
                                       "03000008 03000002"
                                       "00000008 0400000e"));
  // KE: group 14 with its 256-byte public value, then the 32-byte nonce.
  EXPECT_EQ(m.substr(76, 8), from_hex("28000108 000e0000"));
  EXPECT_EQ(m.substr(340, 4), from_hex("00000024"));
}

TEST(udp_ike, natt_request_is_the_same_behind_the_marker) {
  auto r = ike_natt_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], std::string(4, '\0') + ike_requests()[0]);  // RFC 3948 2.2
}

TEST(udp_ike, reads_strongswan) {
  EXPECT_EQ(read_one(ike_read, strongswan_no_proposal).summary,
            "IKEv2 IKE_SA_INIT response: NO_PROPOSAL_CHOSEN");
  auto r = read_one(ike_read, strongswan_accepted);
  EXPECT_EQ(r.summary,
            "IKEv2 IKE_SA_INIT response, proposal accepted; notify CHILDLESS_IKEV2_SUPPORTED, "
            "MULTIPLE_AUTH_SUPPORTED");
  EXPECT_TRUE(r.finding.empty());
}

TEST(udp_ike, reads_strongswan_on_the_natt_port) {
  EXPECT_EQ(read_one(ike_natt_read, strongswan_natt_no_proposal).summary,
            "IKEv2 IKE_SA_INIT response: NO_PROPOSAL_CHOSEN");
  // strongSwan's answer on 4500 was byte for byte the marker and its answer on 500.
  EXPECT_EQ(read_one(ike_natt_read, std::string(4, '\0') + strongswan_accepted).summary,
            read_one(ike_read, strongswan_accepted).summary);
  EXPECT_TRUE(not_the("IKE", read_one(ike_natt_read, strongswan_accepted)));  // no marker
  EXPECT_TRUE(not_the("IKE", read_one(ike_read, strongswan_natt_no_proposal)));
}

TEST(udp_ike, names_the_group_an_invalid_ke_payload_wants) {
  std::string notify = from_hex("0000000a 0000 0011 0013");
  EXPECT_EQ(read_one(ike_read, ike_answer(0x20, 34, 0x20, 41, notify)).summary,
            "IKEv2 IKE_SA_INIT response: INVALID_KE_PAYLOAD (wants DH group 19)");
  std::string cookie = from_hex("0000000c 0000 4006 01020304");
  EXPECT_EQ(read_one(ike_read, ike_answer(0x20, 34, 0x20, 41, cookie)).summary,
            "IKEv2 IKE_SA_INIT response: COOKIE");
  std::string unknown = from_hex("00000008 0000 7777");
  EXPECT_EQ(read_one(ike_read, ike_answer(0x20, 99, 0x20, 41, unknown)).summary,
            "IKEv2 exchange 99 response: notify 30583");
}

TEST(udp_ike, reads_an_ikev1_answer) {
  std::string notification = from_hex("0000000c 00000001 01 00 000e");
  EXPECT_EQ(read_one(ike_read, ike_answer(0x10, 5, 0, 11, notification)).summary,
            "IKEv1 Informational: NO-PROPOSAL-CHOSEN");
  EXPECT_EQ(read_one(ike_read, ike_answer(0x10, 2, 0, 1, from_hex("00000008 00000001"))).summary,
            "IKEv1 Main Mode, proposal accepted");
}

TEST(udp_ike, refuses_requests_strangers_and_truncation) {
  EXPECT_TRUE(not_the("IKE", read_one(ike_read, ike_requests()[0])));  // no response flag
  std::string stranger = strongswan_no_proposal;
  stranger[0] = 'X';
  EXPECT_TRUE(not_the("IKE", read_one(ike_read, stranger)));
  EXPECT_TRUE(not_the("IKE", read_one(ike_read, ike_answer(0x30, 34, 0x20, 0, ""))));
  for (std::size_t n = 0; n < strongswan_accepted.size(); ++n)
    EXPECT_TRUE(not_the("IKE", read_one(ike_read, strongswan_accepted.substr(0, n)))) << n;
  // Payloads that lie about their size end the walk, not the reading.
  EXPECT_EQ(read_one(ike_read, ike_answer(0x20, 34, 0x20, 41, from_hex("00000002"))).summary,
            "IKEv2 IKE_SA_INIT response");
  EXPECT_EQ(read_one(ike_read, ike_answer(0x20, 34, 0x20, 41, from_hex("000000ff 0000"))).summary,
            "IKEv2 IKE_SA_INIT response");
}

// --- QUIC

std::string version_negotiation(std::string_view dcid, std::string_view scid,
                                std::string_view versions_hex) {
  std::string p = from_hex("c5 00000000");
  put_u8(p, dcid.size());
  p += dcid;
  put_u8(p, scid.size());
  p += scid;
  return p + from_hex(versions_hex);
}

TEST(udp_quic, request_is_a_padded_long_header_with_a_reserved_version) {
  auto r = quic_requests();
  ASSERT_EQ(r.size(), 1u);
  const std::string& p = r[0];
  ASSERT_EQ(p.size(), 1200u);  // RFC 9000 14.1: smaller Initials are dropped
  EXPECT_EQ(static_cast<unsigned char>(p[0]) & 0xc0, 0xc0u);      // long header, fixed bit
  EXPECT_EQ(byte_reader(p, 1).u32() & 0x0f0f0f0fu, 0x0a0a0a0au);  // RFC 9000 15
  EXPECT_EQ(p.substr(5, 18),
            "\x08"
            "bwquicD1"
            "\x08"
            "bwquicS1");
}

TEST(udp_quic, lists_the_versions_of_version_negotiation) {
  auto r = read_one(quic_read, version_negotiation("bwquicS1", "bwquicD1",
                                                   "00000001 6b3343cf ff00001d 5a6a7a8a "
                                                   "51303436 12345678"));
  EXPECT_EQ(r.summary,
            "a QUIC server: versions QUIC v1, QUIC v2, draft-29, Google QUIC Q046, 0x12345678");
  EXPECT_TRUE(r.finding.empty());
  r = read_one(quic_read, version_negotiation("bwquicS1", "bwquicD1", "1a2a3a4a"));
  EXPECT_EQ(r.summary, "a QUIC server (it listed only reserved versions)");
  r = read_one(quic_read, version_negotiation("bwquicS1", "bwquicD1",
                                              "00000001 00000002 00000003 00000004 00000005 "
                                              "00000006 00000007 00000008 00000009 0000000a"));
  EXPECT_TRUE(r.summary.ends_with(", 0x00000008 and 2 more")) << r.summary;
}

TEST(udp_quic, refuses_other_connections_and_other_packets) {
  EXPECT_TRUE(
      not_the("QUIC", read_one(quic_read, version_negotiation("other", "bwquicD1", "00000001"))));
  EXPECT_TRUE(
      not_the("QUIC", read_one(quic_read, version_negotiation("bwquicS1", "bwquicD1", ""))));
  EXPECT_TRUE(not_the("QUIC", read_one(quic_read, quic_requests()[0])));  // an echo
  std::string vn = version_negotiation("bwquicS1", "bwquicD1", "00000001");
  for (std::size_t n = 0; n < vn.size(); ++n)
    EXPECT_TRUE(not_the("QUIC", read_one(quic_read, vn.substr(0, n)))) << n;
}

// --- WireGuard

TEST(udp_wireguard, any_answer_is_not_wireguard) {
  auto r = wireguard_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_LT(r[0].size(), 32u);  // no WireGuard message is this short: it drops it
  auto reading = read_one(wireguard_read, "hello");
  EXPECT_EQ(reading.summary,
            "something other than WireGuard answered (an answer of 5 bytes; WireGuard never "
            "answers this datagram)");
  EXPECT_TRUE(reading.finding.empty());
  EXPECT_FALSE(protocol_for(51820).silence.empty());
  EXPECT_FALSE(protocol_for(41641).silence.empty());
}

}  // namespace
}  // namespace breakwater::probe::udp::test
