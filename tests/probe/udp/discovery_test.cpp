// SSDP, WS-Discovery, Ubiquiti discovery and CoAP: the requests' bytes and what the readers
// make of real answers (captured from wsdd and libcoap's coap-server on loopback), answers
// built from the specifications, and truncated or foreign bytes.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// --- SSDP

constexpr std::string_view router_answer =
    "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\n"
    "USN: uuid:1c2d3e4f-0000-1000-8000-00aabbccddee::upnp:rootdevice\r\nEXT:\r\n"
    "SERVER: Linux/5.4 UPnP/1.1 MiniUPnPd/2.3.3\r\n"
    "LOCATION: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n";

TEST(udp_ssdp, request_is_an_m_search_for_everything) {
  auto r = ssdp_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].starts_with("M-SEARCH * HTTP/1.1\r\n"));
  EXPECT_NE(r[0].find("HOST: 239.255.255.250:1900\r\n"), std::string::npos);
  EXPECT_NE(r[0].find("MAN: \"ssdp:discover\"\r\n"), std::string::npos);
  EXPECT_NE(r[0].find("ST: ssdp:all\r\n"), std::string::npos);
  EXPECT_TRUE(r[0].ends_with("\r\n\r\n"));
}

TEST(udp_ssdp, names_server_and_location) {
  auto r = read_one(ssdp_read, router_answer);
  EXPECT_EQ(r.summary,
            "SSDP \"HTTP/1.1 200 OK\", server \"Linux/5.4 UPnP/1.1 MiniUPnPd/2.3.3\", location "
            "\"http://192.168.1.1:5000/rootDesc.xml\"");
  EXPECT_EQ(r.finding, "ssdp-reflector");
  ASSERT_NE(find_finding(r.finding), nullptr);
}

TEST(udp_ssdp, counts_the_answers_of_ssdp_all) {
  auto r = read_answers(ssdp_read, {router_answer, router_answer, "junk"});
  EXPECT_NE(r.summary.find("(2 answers, "), std::string::npos) << r.summary;
  EXPECT_EQ(r.finding, "ssdp-reflector");
}

TEST(udp_ssdp, foreign_bytes_are_not_ssdp) {
  auto r = read_one(ssdp_read, "\x01\x02garbage"sv);
  EXPECT_EQ(r.summary, "an answer that is not SSDP (9 bytes)");
  EXPECT_TRUE(r.finding.empty());
  EXPECT_TRUE(read_one(ssdp_read, "").finding.empty());
}

// --- WS-Discovery

// wsdd 0.7 (Debian 12) answering the wsdp:Device probe, captured.
constexpr std::string_view wsdd_answer =
    R"(<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:wsx="http://schemas.xmlsoap.org/ws/2004/09/mex" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof" xmlns:pnpx="http://schemas.microsoft.com/windows/pnpx/2005/10" xmlns:pub="http://schemas.microsoft.com/windows/pub/2005/07">)"
    R"(<soap:Header><wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><wsa:MessageID>urn:uuid:4ad6e640-f024-11f1-84d6-ce5f29efaabb</wsa:MessageID><wsa:RelatesTo>urn:uuid:62776174-6572-4000-8000-70726f626532</wsa:RelatesTo><wsd:AppSequence InstanceId="1796417406" SequenceId="urn:uuid:4ad6e7f8-f024-11f1-84d6-ce5f29efaabb" MessageNumber="1" /></soap:Header>)"
    R"(<soap:Body><wsd:ProbeMatches><wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:e5e61fb5-d685-5b50-9ba7-acb6e6962ef3</wsa:Address></wsa:EndpointReference><wsd:Types>wsdp:Device pub:Computer</wsd:Types><wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:ProbeMatch></wsd:ProbeMatches></soap:Body></soap:Envelope>)";

// A camera's answer to the empty Probe, written from ONVIF's use of WS-Discovery.
constexpr std::string_view camera_answer =
    R"(<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" )"
    R"(xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><SOAP-ENV:Body><d:ProbeMatches>)"
    R"(<d:ProbeMatch><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>)"
    R"(<d:XAddrs> http://203.0.113.9/onvif/device_service </d:XAddrs></d:ProbeMatch>)"
    R"(<d:ProbeMatch><d:Types>a&amp;b</d:Types></d:ProbeMatch>)"
    R"(</d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>)";

TEST(udp_wsd, requests_an_empty_probe_and_a_device_probe) {
  auto r = wsd_requests();
  ASSERT_EQ(r.size(), 2u);
  for (const auto& probe : r) {
    EXPECT_TRUE(probe.starts_with("<?xml"));
    EXPECT_NE(probe.find("/discovery/Probe</wsa:Action>"), std::string::npos);
    EXPECT_NE(probe.find("<wsa:MessageID>urn:uuid:"), std::string::npos);
  }
  EXPECT_NE(r[0].find("<wsd:Probe></wsd:Probe>"), std::string::npos);
  EXPECT_NE(r[1].find("<wsd:Types>wsdp:Device</wsd:Types>"), std::string::npos);
  EXPECT_NE(r[0], r[1]);  // two message ids
}

TEST(udp_wsd, reads_wsdd_probe_matches) {
  auto r = read_one(wsd_read, wsdd_answer);
  EXPECT_EQ(r.summary, "WS-Discovery ProbeMatches: types \"wsdp:Device pub:Computer\"");
  EXPECT_EQ(r.finding, "ws-discovery");
}

TEST(udp_wsd, reads_types_and_addresses_of_several_matches) {
  auto r = read_one(wsd_read, camera_answer);
  EXPECT_EQ(r.summary,
            "WS-Discovery ProbeMatches: types \"dn:NetworkVideoTransmitter tds:Device\", "
            "addresses \"http://203.0.113.9/onvif/device_service\" (2 matches)");
  EXPECT_EQ(r.finding, "ws-discovery");
}

TEST(udp_wsd, a_fault_is_soap_without_a_finding) {
  auto r = read_one(wsd_read,
                    "<s:Envelope><s:Body><s:Fault><s:Reason>no</s:Reason></s:Fault></s:Body>"
                    "</s:Envelope>");
  EXPECT_EQ(r.summary, "a SOAP answer without ProbeMatches (84 bytes)");
  EXPECT_TRUE(r.finding.empty());
}

TEST(udp_wsd, truncated_and_foreign_answers) {
  EXPECT_EQ(findings_in_prefixes(wsd_read, wsdd_answer), 0);
  auto r = read_one(wsd_read, "HTTP/1.1 400 Bad Request\r\n\r\n");
  EXPECT_EQ(r.summary, "an answer that is not WS-Discovery (28 bytes)");
  EXPECT_TRUE(read_one(wsd_read, "<Envelope><ProbeMatches><ProbeMatch>").finding.empty());
}

// --- Ubiquiti discovery

std::string tlv(int type, std::string_view value) {
  std::string out = bytes({type});
  put_u16(out, value.size());
  return out + std::string(value);
}

std::string ubiquiti_answer(int version, int command, const std::string& fields) {
  std::string out = bytes({version, command});
  put_u16(out, fields.size());
  return out + fields;
}

TEST(udp_ubiquiti, request_is_the_four_byte_discovery) {
  auto r = ubiquiti_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "\x01\x00\x00\x00"sv);
}

TEST(udp_ubiquiti, reads_hostname_model_and_firmware) {
  std::string fields =
      tlv(0x02, from_hex("802aa8c0ffee c0a80102")) + tlv(0x01, from_hex("802aa8c0ffee")) +
      tlv(0x0a, from_hex("00012345")) + tlv(0x0b, "UBNT-AP") + tlv(0x0c, "U7PG2") +
      tlv(0x03, "BZ.qca956x.v4.3.20.11298.200113.1634") + tlv(0x14, "UAP-AC-Pro-Gen2");
  auto r = read_one(ubiquiti_read, ubiquiti_answer(1, 0, fields));
  EXPECT_EQ(r.summary,
            "Ubiquiti discovery: hostname \"UBNT-AP\", model \"UAP-AC-Pro-Gen2\", firmware "
            "\"BZ.qca956x.v4.3.20.11298.200113.1634\"");
  EXPECT_EQ(r.finding, "ubiquiti-discovery");
}

TEST(udp_ubiquiti, reads_version_2_fields) {
  std::string fields = tlv(0x15, "UDM") + tlv(0x16, "1.12.22") + tlv(0x0b, "gate\x01way");
  auto r = read_one(ubiquiti_read, ubiquiti_answer(2, 6, fields));
  EXPECT_EQ(r.summary,
            "Ubiquiti discovery: hostname \"gate\\x01way\", model \"UDM\", firmware \"1.12.22\"");
}

TEST(udp_ubiquiti, fields_without_names_are_counted) {
  auto r = read_one(ubiquiti_read, ubiquiti_answer(1, 0, tlv(0x0a, "\x00\x00\x00\x01"sv)));
  EXPECT_EQ(r.summary, "Ubiquiti discovery (1 field)");
}

TEST(udp_ubiquiti, refuses_echoes_overruns_and_truncation) {
  EXPECT_TRUE(read_one(ubiquiti_read, "\x01\x00\x00\x00"sv).finding.empty());  // our own request
  std::string fields = tlv(0x0b, "host");
  std::string answer = ubiquiti_answer(1, 0, fields);
  EXPECT_EQ(findings_in_prefixes(ubiquiti_read, answer), 0);
  answer[6] = '\x10';  // the field claims more than there is
  EXPECT_TRUE(read_one(ubiquiti_read, answer).finding.empty());
  EXPECT_EQ(read_one(ubiquiti_read, ubiquiti_answer(3, 0, fields)).summary,
            "an answer that is not Ubiquiti discovery (11 bytes)");
}

// --- CoAP

// libcoap 4.3.1's coap-server answering GET /.well-known/core, captured.
const std::string libcoap_answer = from_hex(
    "6445627762776370c128ff3c2f3e3b7469746c653d2247656e6572616c20496e"
    "666f223b63743d302c3c2f74696d653e3b69663d22636c6f636b223b72743d22"
    "7469636b73223b7469746c653d22496e7465726e616c20436c6f636b223b6374"
    "3d303b6f62732c3c2f6173796e633e3b63743d302c3c2f6578616d706c655f64"
    "6174613e3b7469746c653d224578616d706c652044617461223b63743d303b6f"
    "6273");

TEST(udp_coap, request_is_a_confirmable_get_of_well_known_core) {
  auto r = coap_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], from_hex("44 01 6277 62776370 bb") + ".well-known" + "\x04" + "core");
}

TEST(udp_coap, reads_libcoap_resources) {
  auto r = read_one(coap_read, libcoap_answer);
  EXPECT_EQ(r.summary, "CoAP 2.05 Content, resources \"</>, </time>, </async>, </example_data>\"");
  EXPECT_EQ(r.finding, "coap-exposed");
}

TEST(udp_coap, a_separate_response_beats_its_empty_ack) {
  std::string ack = from_hex("60 00 6277");
  std::string response = from_hex("54 45 1234 62776370 ff") + "</a>,</b>,</c>,</d>,</e>,</f>";
  auto r = read_answers(coap_read, {ack, response});
  EXPECT_EQ(r.summary, "CoAP 2.05 Content, resources \"</a>, </b>, </c>, </d>\" and 2 more");
  r = read_one(coap_read, ack);
  EXPECT_EQ(r.summary, "CoAP: an empty acknowledgement (its answer follows separately)");
  EXPECT_EQ(r.finding, "coap-exposed");
}

TEST(udp_coap, error_codes_and_resets) {
  auto r = read_one(coap_read, from_hex("64 84 6277 62776370"));
  EXPECT_EQ(r.summary, "CoAP 4.04 Not Found");
  EXPECT_EQ(read_one(coap_read, from_hex("64 9e 6277 62776370")).summary, "CoAP 4.30");
  r = read_one(coap_read, from_hex("70 00 6277"));
  EXPECT_EQ(r.summary, "CoAP: a reset (it speaks CoAP but refused the request)");
}

TEST(udp_coap, extended_options_are_skipped) {
  // Option delta 13+1, length 269+2 (RFC 7252 3.1's extended forms).
  std::string options = from_hex("de 01 0002") + std::string(271, 'x');
  auto r = read_one(coap_read, from_hex("64 45 6277 62776370") + options + "\xff</z>");
  EXPECT_EQ(r.summary, "CoAP 2.05 Content, resources \"</z>\"");
  // Extended values of 15 are not the reserved nibble: delta 13+2, then length 13+2.
  r = read_one(coap_read,
               from_hex("64 45 6277 62776370 d0 02 0d 02") + std::string(15, 'x') + "\xff</y>");
  EXPECT_EQ(r.summary, "CoAP 2.05 Content, resources \"</y>\"");
}

TEST(udp_coap, refuses_what_is_not_an_answer_to_us) {
  EXPECT_TRUE(read_one(coap_read, coap_requests()[0]).finding.empty());               // a request
  EXPECT_TRUE(read_one(coap_read, from_hex("64 45 6277 00000000")).finding.empty());  // token
  EXPECT_TRUE(read_one(coap_read, from_hex("60 00 9999")).finding.empty());           // message id
  EXPECT_TRUE(read_one(coap_read, from_hex("64 45 6277 62776370 f1 00")).finding.empty());
  EXPECT_TRUE(read_one(coap_read, from_hex("64 45 6277 62776370 ff")).finding.empty());
  EXPECT_TRUE(read_one(coap_read, from_hex("6945627762776370")).finding.empty());  // TKL 9
  EXPECT_EQ(read_one(coap_read, "hello").summary, "an answer that is not CoAP (5 bytes)");
  // Shorter than header and token: nothing. (Longer prefixes may still be whole messages.)
  EXPECT_EQ(findings_in_prefixes(coap_read, libcoap_answer.substr(0, 8)), 0);
}

}  // namespace
}  // namespace breakwater::probe::udp::test
