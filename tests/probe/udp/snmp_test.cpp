// SNMP: the v2c GetRequest for sysDescr.0, and the reader on snmpd's answers (Net-SNMP 5.9) and
// on answers built from RFC 3416.
#include "probe/wire/udp/ber.hpp"

#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// snmpd with 'sysDescr breakwater test agent 1.0' and 'rocommunity public 127.0.0.1'.
const std::string snmpd_sys_descr =
    bytes({0x30, 0x40, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa2,
           0x33, 0x02, 0x02, 0x62, 0x77, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x27, 0x30,
           0x25, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x04, 0x19, 0x62,
           0x72, 0x65, 0x61, 0x6b, 0x77, 0x61, 0x74, 0x65, 0x72, 0x20, 0x74, 0x65, 0x73, 0x74,
           0x20, 0x61, 0x67, 0x65, 0x6e, 0x74, 0x20, 0x31, 0x2e, 0x30});
// snmpd whose view for "public" leaves out the system group: noSuchObject.
const std::string snmpd_no_such_object =
    bytes({0x30, 0x27, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa2,
           0x1a, 0x02, 0x02, 0x62, 0x77, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30,
           0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x80, 0x00});

std::string response(std::int64_t id, std::int64_t status, std::string varbinds) {
  auto pdu = ber::tlv(0xa2, ber::encode_integer(id) + ber::encode_integer(status) +
                                ber::encode_integer(status == 0 ? 0 : 1) +
                                ber::tlv(ber::sequence, varbinds));
  return ber::tlv(ber::sequence, ber::encode_integer(1) + ber::encode_octets("public") + pdu);
}

std::string sys_descr_varbind(std::string value) {
  return ber::tlv(ber::sequence, ber::encode_oid("1.3.6.1.2.1.1.1.0") + value);
}

TEST(udp_snmp, request_is_a_v2c_get_of_sys_descr) {
  auto r = snmp_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], bytes({0x30, 0x27, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b',  'l',
                         'i',  'c',  0xa0, 0x1a, 0x02, 0x02, 0x62, 0x77, 0x02, 0x01, 0x00,
                         0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06,
                         0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00}));
}

TEST(udp_snmp, reads_snmpd_sys_descr) {
  auto r = read_one(snmp_read, snmpd_sys_descr);
  EXPECT_EQ(r.finding, "snmp-public");
  EXPECT_EQ(r.summary, "sysDescr: \"breakwater test agent 1.0\"");
}

TEST(udp_snmp, no_such_object_still_answers_public) {
  auto r = read_one(snmp_read, snmpd_no_such_object);
  EXPECT_EQ(r.finding, "snmp-public");
  EXPECT_EQ(r.summary,
            "an SNMP agent that answers community \"public\" (no sysDescr.0: noSuchObject)");
  auto instance = read_one(snmp_read, response(0x6277, 0, sys_descr_varbind(bytes({0x81, 0}))));
  EXPECT_EQ(instance.summary,
            "an SNMP agent that answers community \"public\" (no sysDescr.0: noSuchInstance)");
}

TEST(udp_snmp, an_error_status_still_answers_public) {
  auto r = read_one(snmp_read, response(0x6277, 2, sys_descr_varbind(ber::tlv(ber::null, {}))));
  EXPECT_EQ(r.finding, "snmp-public");
  EXPECT_EQ(r.summary, "an SNMP agent that answers community \"public\" with noSuchName");
  EXPECT_EQ(read_one(snmp_read, response(0x6277, 99, {})).summary,
            "an SNMP agent that answers community \"public\" with error 99");
}

// escaped_text cuts it for people; the reader only reads it.
TEST(udp_snmp, a_long_sys_descr_is_read) {
  auto r = read_one(
      snmp_read, response(0x6277, 0, sys_descr_varbind(ber::encode_octets(std::string(500, 'L')))));
  EXPECT_EQ(r.finding, "snmp-public");
  EXPECT_TRUE(r.summary.starts_with("sysDescr: \"LLLL"));
}

TEST(udp_snmp, what_does_not_answer_us_is_not_snmp) {
  auto other_id = response(0x1111, 0, sys_descr_varbind(ber::encode_octets("x")));
  EXPECT_EQ(read_one(snmp_read, other_id).summary, "an answer that is not SNMP (42 bytes)");
  EXPECT_EQ(read_one(snmp_read, snmp_requests()[0]).finding, "");  // a GetRequest
  EXPECT_EQ(read_one(snmp_read, "\x30\x00"sv).finding, "");
}

TEST(udp_snmp, survives_truncation_and_garbage) {
  survives_prefixes_and_garbage(snmp_read, snmpd_sys_descr);
  for (std::size_t n = 0; n < snmpd_sys_descr.size(); ++n) {
    EXPECT_EQ(read_one(snmp_read, std::string_view(snmpd_sys_descr).substr(0, n)).finding, "");
  }
}

}  // namespace
}  // namespace breakwater::probe::udp::test
