// CLDAP: the rootDSE search, and the reader on answers built from RFC 4511 (one datagram with
// the entry and the done, as Active Directory sends them) and RFC 1798.
#include "probe/wire/udp/ber.hpp"

#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

std::string attribute(std::string_view type, std::initializer_list<std::string_view> values) {
  std::string vals;
  for (auto v : values) vals += ber::encode_octets(v);
  return ber::tlv(ber::sequence, ber::encode_octets(type) + ber::tlv(ber::set, vals));
}

std::string root_dse_entry() {
  auto attrs =
      attribute("currentTime", {"20240611120000.0Z"}) +
      attribute("subschemaSubentry", {"CN=Aggregate,CN=Schema,CN=Configuration,DC=corp,DC=test"}) +
      attribute("namingContexts", {"DC=corp,DC=test", "CN=Configuration,DC=corp,DC=test",
                                   "CN=Schema,CN=Configuration,DC=corp,DC=test",
                                   "DC=DomainDnsZones,DC=corp,DC=test"}) +
      attribute("defaultNamingContext", {"DC=corp,DC=test"}) +
      attribute("supportedLDAPVersion", {"3", "2"}) + attribute("isGlobalCatalogReady", {"TRUE"}) +
      attribute("dnshostname", {"dc1.corp.test"});
  // [APPLICATION 4] { objectName "", attributes }
  return ber::tlv(0x64, ber::encode_octets("") + ber::tlv(ber::sequence, attrs));
}

std::string search_done(int code) {
  return ber::tlv(0x65, ber::tlv(ber::enumerated, bytes({code})) + ber::encode_octets("") +
                            ber::encode_octets(""));
}

std::string message(std::int64_t id, std::string op) {
  return ber::tlv(ber::sequence, ber::encode_integer(id) + op);
}

const std::string ad_answer = message(0x6277, root_dse_entry()) + message(0x6277, search_done(0));

TEST(udp_cldap, request_is_a_base_search_of_the_root_dse) {
  auto r = cldap_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], bytes({0x30, 0x26, 0x02, 0x02, 0x62, 0x77, 0x63, 0x20, 0x04, 0x00,
                         0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02,
                         0x01, 0x00, 0x01, 0x01, 0x00, 0x87, 0x0b, 'o',  'b',  'j',
                         'e',  'c',  't',  'C',  'l',  'a',  's',  's',  0x30, 0x00}));
}

TEST(udp_cldap, reads_the_root_dse) {
  auto r = read_one(cldap_read, ad_answer);
  EXPECT_EQ(r.finding, "cldap-reflector");
  EXPECT_EQ(r.summary,
            "a CLDAP rootDSE with 7 attributes (currentTime, subschemaSubentry, namingContexts, "
            "defaultNamingContext, supportedLDAPVersion, isGlobalCatalogReady and 1 more); "
            "dnsHostName: dc1.corp.test; defaultNamingContext: DC=corp,DC=test; "
            "supportedLDAPVersion: 3, 2");
}

TEST(udp_cldap, reads_entry_and_done_in_separate_datagrams_and_rfc_1798_form) {
  auto entry = message(0x6277, root_dse_entry());
  auto done = message(0x6277, search_done(0));
  std::string_view two[] = {entry, done};
  EXPECT_EQ(cldap_read(two).finding, "cldap-reflector");
  // RFC 1798: the response is a SEQUENCE OF entries and the result.
  auto v2 = message(0x6277, ber::tlv(ber::sequence, root_dse_entry() + search_done(0)));
  auto r = read_one(cldap_read, v2);
  EXPECT_EQ(r.finding, "cldap-reflector");
  EXPECT_NE(r.summary.find("dnsHostName: dc1.corp.test"), std::string::npos);
}

TEST(udp_cldap, a_result_without_entry_is_no_finding) {
  auto r = read_one(cldap_read, message(0x6277, search_done(53)));
  EXPECT_EQ(r.finding, "");
  EXPECT_EQ(r.summary, "an LDAP server answering over UDP without an entry (result code 53)");
}

TEST(udp_cldap, an_empty_entry_is_still_a_reflector) {
  auto r = read_one(cldap_read, message(0x6277, ber::tlv(0x64, ber::encode_octets("") +
                                                                   ber::tlv(ber::sequence, {}))));
  EXPECT_EQ(r.finding, "cldap-reflector");
  EXPECT_EQ(r.summary, "a CLDAP rootDSE with 0 attributes");
}

TEST(udp_cldap, other_messages_are_not_cldap) {
  EXPECT_EQ(read_one(cldap_read, message(1, root_dse_entry())).finding, "");
  EXPECT_EQ(read_one(cldap_read, "\x30\x03\x02\x01"sv).summary,
            "an answer that is not CLDAP (4 bytes)");
}

TEST(udp_cldap, survives_truncation_and_garbage) {
  survives_prefixes_and_garbage(cldap_read, ad_answer);
}

}  // namespace
}  // namespace breakwater::probe::udp::test
