// DNS, mDNS and NetBIOS name service: the requests' bytes, and the readers on answers captured
// from dnsmasq and built from RFC 1035, RFC 6762/6763 and RFC 1002.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

constexpr std::string_view example_question =
    "\x07"
    "example\x03"
    "com\x00\x00\x01\x00\x01"sv;

// dnsmasq 2.89 with --address=/example.com/192.0.2.1: AA, RD, RA, one A record.
const std::string dnsmasq_open = bytes(
    {0x62, 0x77, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78,
     0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0,
     0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01});
// dnsmasq with no upstream server: REFUSED.
const std::string dnsmasq_refused =
    bytes({0x62, 0x77, 0x81, 0x85, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78,
           0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01});

std::string header(int id, int flags, int qd, int an) {
  return bytes({id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, 0, 0, 0});
}

std::string labels(std::initializer_list<std::string_view> parts, bool end = true) {
  std::string out;
  for (auto p : parts) {
    out += static_cast<char>(p.size());
    out += p;
  }
  if (end) out += '\0';
  return out;
}

std::string pointer(std::size_t offset) {
  return bytes({0xc0 | static_cast<int>(offset >> 8), static_cast<int>(offset & 0xff)});
}

// A record header after its owner name: type, class, TTL 120, rdlength.
std::string rr(int type, int cls, std::size_t rdlength) {
  return bytes({0, type, cls >> 8, cls & 0xff, 0, 0, 0, 120, 0, static_cast<int>(rdlength)});
}

TEST(udp_dns, request_is_a_recursive_query_for_example_com) {
  auto r = dns_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], header(0x6277, 0x0100, 1, 0) + std::string(example_question));
  EXPECT_EQ(protocol_for(53).requests, &dns_requests);
}

TEST(udp_dns, reads_dnsmasq_as_an_open_resolver) {
  auto r = read_one(dns_read, dnsmasq_open);
  EXPECT_EQ(r.finding, "open-resolver");
  EXPECT_EQ(r.summary,
            "a DNS resolver open to anyone: recursion available, authoritative, NOERROR, 1 answer, "
            "first A 192.0.2.1");
}

TEST(udp_dns, refused_is_a_server_that_does_not_recurse) {
  auto r = read_one(dns_read, dnsmasq_refused);
  EXPECT_EQ(r.finding, "");
  EXPECT_EQ(r.summary,
            "a DNS server that does not recurse for strangers (recursion available, REFUSED, 0 "
            "answers)");
}

TEST(udp_dns, recursion_not_available_is_no_finding) {
  // An authoritative server that happens to answer: RA clear.
  auto answer = header(0x6277, 0x8500, 1, 1) + std::string(example_question) + pointer(12) +
                rr(1, 1, 4) + bytes({198, 51, 100, 7});
  auto r = read_one(dns_read, answer);
  EXPECT_EQ(r.finding, "");
  EXPECT_EQ(r.summary,
            "a DNS server that does not recurse for strangers (recursion not available, "
            "authoritative, NOERROR, 1 answer, first A 198.51.100.7)");
}

TEST(udp_dns, shows_a_cname_and_aaaa) {
  auto cname = header(0x6277, 0x8180, 1, 2) + std::string(example_question) + pointer(12) +
               rr(5, 1, 6) + labels({"www"}, false) + pointer(12) + pointer(12) + rr(28, 1, 16) +
               bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  auto r = read_one(dns_read, cname);
  EXPECT_EQ(r.finding, "open-resolver");
  EXPECT_EQ(r.summary,
            "a DNS resolver open to anyone: recursion available, NOERROR, 2 answers, first CNAME "
            "www.example.com");

  auto aaaa = header(0x6277, 0x8180, 1, 1) + std::string(example_question) + pointer(12) +
              rr(28, 1, 16) + bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_NE(read_one(dns_read, aaaa).summary.find("first AAAA 2001:db8::1"), std::string::npos);
}

TEST(udp_dns, servfail_with_recursion_is_a_server_without_finding) {
  auto r = read_one(dns_read, header(0x6277, 0x8182, 1, 0) + std::string(example_question));
  EXPECT_EQ(r.finding, "");
  EXPECT_EQ(r.summary, "a DNS server: recursion available, SERVFAIL, 0 answers");
}

TEST(udp_dns, what_does_not_answer_our_query_is_not_dns) {
  auto other_id = dnsmasq_open;
  other_id[0] = 0x11;
  EXPECT_EQ(read_one(dns_read, other_id).summary, "an answer that is not DNS (45 bytes)");
  auto query = dns_requests()[0];  // QR clear: an echo of the query
  EXPECT_EQ(read_one(dns_read, query).finding, "");
  EXPECT_EQ(read_one(dns_read, "").summary, "an answer that is not DNS (0 bytes)");
  std::string_view two[] = {"hello", "world!"};
  EXPECT_EQ(dns_read(two).summary, "2 answers that are not DNS (11 bytes in all)");
  // The second datagram is the answer: it is read.
  std::string_view junk_then_answer[] = {"junk", dnsmasq_open};
  EXPECT_EQ(dns_read(junk_then_answer).finding, "open-resolver");
}

TEST(udp_dns, pointer_loops_and_bad_labels_end) {
  // The answer's owner name points at itself, and its rdata is cut: no crash, header still read.
  auto loop = header(0x6277, 0x8180, 1, 1) + std::string(example_question) + pointer(29);
  auto r = read_one(dns_read, loop);
  EXPECT_EQ(r.finding, "open-resolver");
  EXPECT_EQ(r.summary, "a DNS resolver open to anyone: recursion available, NOERROR, 1 answer");
  auto cname_loop = header(0x6277, 0x8180, 1, 1) + std::string(example_question) + pointer(12) +
                    rr(5, 1, 2) + pointer(41);
  EXPECT_EQ(read_one(dns_read, cname_loop).summary,
            "a DNS resolver open to anyone: recursion available, NOERROR, 1 answer");
  auto extended_label = header(0x6277, 0x8180, 1, 1) + bytes({0x41, 0, 0, 1, 0, 1});
  EXPECT_EQ(read_one(dns_read, extended_label).finding, "open-resolver");
}

TEST(udp_dns, survives_truncation_and_garbage) {
  survives_prefixes_and_garbage(dns_read, dnsmasq_open);
  for (std::size_t n = 0; n < 12; ++n) {
    EXPECT_EQ(read_one(dns_read, std::string_view(dnsmasq_open).substr(0, n)).finding, "");
  }
}

// RFC 6762 6.7: a legacy unicast answer repeats the question and the id.
std::string mdns_service_list(int id, std::initializer_list<std::string_view> services) {
  auto list = labels({"_services", "_dns-sd", "_udp", "local"});
  auto d = header(id, 0x8400, 1, static_cast<int>(services.size())) + list + bytes({0, 12, 0, 1});
  std::size_t local_at = 12 + 1 + 9 + 1 + 7 + 1 + 4;
  for (auto s : services) {
    auto rdata = labels({s, "_tcp"}, false) + pointer(local_at);
    d += pointer(12) + rr(12, 1, rdata.size()) + rdata;
  }
  return d;
}

TEST(udp_mdns, request_asks_the_service_list_by_unicast) {
  auto r = mdns_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], header(0x6277, 0, 1, 0) + labels({"_services", "_dns-sd", "_udp", "local"}) +
                      bytes({0, 12, 0x80, 1}));
}

TEST(udp_mdns, lists_the_services) {
  auto r = read_one(mdns_read, mdns_service_list(0x6277, {"_http", "_ssh", "_airplay"}));
  EXPECT_EQ(r.finding, "mdns-exposed");
  EXPECT_EQ(r.summary,
            "an mDNS responder listing _http._tcp.local, _ssh._tcp.local, _airplay._tcp.local");
}

TEST(udp_mdns, cuts_a_long_list_and_accepts_id_zero) {
  auto r =
      read_one(mdns_read, mdns_service_list(0, {"_a", "_b", "_c", "_d", "_e", "_f", "_g", "_a"}));
  EXPECT_EQ(r.finding, "mdns-exposed");
  EXPECT_EQ(r.summary,
            "an mDNS responder listing _a._tcp.local, _b._tcp.local, _c._tcp.local, "
            "_d._tcp.local, _e._tcp.local and 2 more");
}

TEST(udp_mdns, any_dns_response_is_exposed) {
  auto r = read_one(mdns_read, header(0x6277, 0x8400, 0, 0));
  EXPECT_EQ(r.finding, "mdns-exposed");
  EXPECT_EQ(r.summary, "an mDNS responder (0 answers, no service list)");
}

TEST(udp_mdns, what_is_not_a_response_is_not_mdns) {
  EXPECT_EQ(read_one(mdns_read, mdns_requests()[0]).finding, "");
  EXPECT_EQ(read_one(mdns_read, header(0x1234, 0x8400, 0, 0)).summary,
            "an answer that is not mDNS (12 bytes)");
  EXPECT_EQ(read_one(mdns_read, header(0, 0xa400, 0, 0)).finding, "");  // opcode 4: NOTIFY
  survives_prefixes_and_garbage(mdns_read, mdns_service_list(0x6277, {"_http", "_ssh"}));
}

// RFC 1002 4.2.18: a NODE STATUS RESPONSE naming HOST and WORKGROUP.
std::string nbstat_answer(std::string_view mac) {
  std::string rdata;
  auto name = [&](std::string_view n, int suffix, int flags) {
    std::string padded(n);
    padded.resize(15, ' ');
    rdata += padded + bytes({suffix, flags >> 8, flags & 0xff});
  };
  rdata += '\x03';
  name("HOST", 0x00, 0x0400);
  name("HOST", 0x20, 0x0400);
  name("WORKGROUP", 0x00, 0x8400);
  rdata += mac;
  rdata += std::string(40, '\0');  // the rest of the statistics
  auto encoded_star = bytes({32}) + "CK" + std::string(30, 'A') + bytes({0});
  return header(0x6277, 0x8400, 0, 1) + encoded_star + bytes({0, 0x21, 0, 1, 0, 0, 0, 0}) +
         bytes({static_cast<int>(rdata.size() >> 8), static_cast<int>(rdata.size() & 0xff)}) +
         rdata;
}

TEST(udp_netbios, request_is_a_node_status_query_for_star) {
  auto r = netbios_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], header(0x6277, 0, 1, 0) + bytes({32}) + "CK" + std::string(30, 'A') +
                      bytes({0, 0, 0x21, 0, 1}));
  EXPECT_EQ(r[0].size(), 50u);
}

TEST(udp_netbios, reads_names_and_mac) {
  auto r = read_one(netbios_read, nbstat_answer(bytes({0x00, 0x0c, 0x29, 0xab, 0xcd, 0xef})));
  EXPECT_EQ(r.finding, "netbios-exposed");
  EXPECT_EQ(r.summary,
            "a NetBIOS name service: names HOST<00>, HOST<20>, WORKGROUP<00> (group); MAC "
            "00:0c:29:ab:cd:ef");
}

TEST(udp_netbios, a_zero_mac_is_not_shown) {
  // Samba's nmbd sends zeros for the unit id.
  auto r = read_one(netbios_read, nbstat_answer(std::string(6, '\0')));
  EXPECT_EQ(r.summary, "a NetBIOS name service: names HOST<00>, HOST<20>, WORKGROUP<00> (group)");
}

TEST(udp_netbios, an_answer_without_a_table_is_still_netbios) {
  auto r = read_one(netbios_read, header(0x6277, 0x8403, 0, 0));
  EXPECT_EQ(r.finding, "netbios-exposed");
  EXPECT_EQ(r.summary, "a NetBIOS name service that sent no name table (result code 3)");
}

TEST(udp_netbios, survives_truncation_and_garbage) {
  auto real = nbstat_answer(bytes({0x00, 0x0c, 0x29, 0xab, 0xcd, 0xef}));
  survives_prefixes_and_garbage(netbios_read, real);
  // A datagram cut inside its record still comes from a NetBIOS name service.
  auto cut = read_one(netbios_read, std::string_view(real).substr(0, 12 + 34 + 10 + 1 + 18 + 5));
  EXPECT_EQ(cut.finding, "netbios-exposed");
  EXPECT_EQ(read_one(netbios_read, "\x62\x77").summary, "an answer that is not NetBIOS (2 bytes)");
}

}  // namespace
}  // namespace breakwater::probe::udp::test
