// SNMP: a version 2c GetRequest for sysDescr.0 with the default community "public"
// (RFC 1157 4.1, RFC 1901 3, RFC 3416 3). Any GetResponse means the community is accepted.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/ber.hpp"
#include "probe/wire/udp/families.hpp"

#include <array>

namespace breakwater::probe::udp::detail {
namespace {

constexpr std::int64_t version_2c = 1;  // RFC 1901 3: version 1 on the wire means v2c
constexpr std::int64_t request_id = 0x6277;
constexpr std::string_view community = "public";
constexpr std::string_view sys_descr_0 = "1.3.6.1.2.1.1.1.0";  // RFC 3418 SNMPv2-MIB

// RFC 3416 3: PDU tags are context-specific and constructed.
const std::uint8_t get_request = ber::context(0, true), get_response = ber::context(2, true);
// RFC 3416 3: the exceptions a varbind may carry instead of a value.
const std::uint8_t no_such_object = ber::context(0, false),
                   no_such_instance = ber::context(1, false),
                   end_of_mib_view = ber::context(2, false);

std::string error_status_text(std::int64_t status) {
  static constexpr std::array<std::string_view, 19> names{"noError",
                                                          "tooBig",
                                                          "noSuchName",
                                                          "badValue",
                                                          "readOnly",
                                                          "genErr",
                                                          "noAccess",
                                                          "wrongType",
                                                          "wrongLength",
                                                          "wrongEncoding",
                                                          "wrongValue",
                                                          "noCreation",
                                                          "inconsistentValue",
                                                          "resourceUnavailable",
                                                          "commitFailed",
                                                          "undoFailed",
                                                          "authorizationError",
                                                          "notWritable",
                                                          "inconsistentName"};
  if (status >= 0 && static_cast<std::size_t>(status) < names.size()) {
    return std::string(names[static_cast<std::size_t>(status)]);
  }
  return "error " + std::to_string(status);
}

// The words for an agent whose answer has no sysDescr text: "an SNMP agent ... `tail`".
std::string agent(std::string_view tail) {
  return "an SNMP agent that answers community \"public\" " + std::string(tail);
}

std::string value_text(const ber::element& value) {
  if (value.tag == ber::octet_string) return "sysDescr: " + quoted(value.content, 120);
  if (value.tag == no_such_object) return agent("(no sysDescr.0: noSuchObject)");
  if (value.tag == no_such_instance) return agent("(no sysDescr.0: noSuchInstance)");
  if (value.tag == end_of_mib_view) return agent("(no sysDescr.0: endOfMibView)");
  return agent("(sysDescr.0 is not text)");
}

// The summary of one GetResponse to our request, or nothing when `d` is not one.
std::optional<std::string> read_response(std::string_view d) {
  ber::reader top(d);
  auto msg = top.expect(ber::sequence);
  if (!msg) return std::nullopt;
  ber::reader m(msg->content);
  auto version = m.expect(ber::integer);
  auto comm = m.expect(ber::octet_string);
  auto pdu = m.expect(get_response);
  if (!version || !comm || !pdu) return std::nullopt;

  ber::reader p(pdu->content);
  auto id = p.expect(ber::integer);
  auto status = p.expect(ber::integer);
  auto index = p.expect(ber::integer);
  auto varbinds = p.expect(ber::sequence);
  if (!id || !status || !index || !varbinds || ber::decode_integer(id->content) != request_id) {
    return std::nullopt;
  }
  auto error_status = ber::decode_integer(status->content).value_or(-1);
  if (error_status != 0) return agent("with " + error_status_text(error_status));
  ber::reader list(varbinds->content);
  auto first = list.expect(ber::sequence);
  if (!first) return agent("(no value sent)");
  ber::reader vb(first->content);
  auto name = vb.expect(ber::oid);
  auto value = vb.next();
  if (!name || !value) return agent("(a malformed value)");
  return value_text(*value);
}

}  // namespace

std::vector<std::string> snmp_requests() {
  auto varbind = ber::tlv(ber::sequence, ber::encode_oid(sys_descr_0) + ber::tlv(ber::null, {}));
  auto pdu = ber::tlv(get_request, ber::encode_integer(request_id) + ber::encode_integer(0) +
                                       ber::encode_integer(0) + ber::tlv(ber::sequence, varbind));
  return {ber::tlv(ber::sequence,
                   ber::encode_integer(version_2c) + ber::encode_octets(community) + pdu)};
}

reading snmp_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "SNMP", "snmp-public", read_response);
}

}  // namespace breakwater::probe::udp::detail
