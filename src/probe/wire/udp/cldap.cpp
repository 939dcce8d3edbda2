// Connectionless LDAP: a search of the rootDSE over UDP. The request is an LDAPv3 message
// (RFC 4511 4.1.1, 4.5.1) as Active Directory's CLDAP takes it ([MS-ADTS] 3.1.1.3.4), without
// RFC 1798's "user" field; the reader accepts either response form.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/ber.hpp"
#include "probe/wire/udp/families.hpp"

#include "common/text.hpp"

#include <array>

namespace breakwater::probe::udp::detail {
namespace {

constexpr std::int64_t message_id = 0x6277;
constexpr std::string_view zero("\0", 1);  // ENUMERATED 0, BOOLEAN false

// RFC 4511 4.2 and 4.5: the protocol operations are application-tagged.
const std::uint8_t search_request = ber::application(3, true),
                   search_entry = ber::application(4, true),
                   search_done = ber::application(5, true);
const std::uint8_t filter_present = ber::context(7, false);  // RFC 4511 4.5.1.7.5

// The values worth naming in a summary, in this order.
constexpr std::array<std::string_view, 4> shown_values{"dnsHostName", "defaultNamingContext",
                                                       "supportedLDAPVersion", "serverName"};
constexpr std::size_t names_shown = 6, values_per_attribute = 3;

struct attribute {
  std::string_view type;
  std::vector<std::string_view> values;
};

struct search_answer {
  bool entry = false;
  std::vector<attribute> attributes;
  std::optional<std::int64_t> result_code;
};

// PartialAttributeList ::= SEQUENCE OF SEQUENCE { type, vals SET OF value } (RFC 4511 4.1.7).
void read_entry(std::string_view content, search_answer& out) {
  ber::reader entry(content);
  auto name = entry.expect(ber::octet_string);
  auto list = entry.expect(ber::sequence);
  out.entry = true;
  if (!name || !list) return;
  ber::reader attrs(list->content);
  while (auto a = attrs.expect(ber::sequence)) {
    ber::reader fields(a->content);
    auto type = fields.expect(ber::octet_string);
    auto vals = fields.expect(ber::set);
    if (!type || !vals) break;
    attribute attr{type->content, {}};
    ber::reader values(vals->content);
    while (auto v = values.expect(ber::octet_string)) {
      if (attr.values.size() < values_per_attribute) attr.values.push_back(v->content);
    }
    out.attributes.push_back(std::move(attr));
  }
}

void read_operation(const ber::element& op, search_answer& out) {
  if (op.tag == search_entry && !out.entry) {
    read_entry(op.content, out);
  } else if (op.tag == search_done && !out.result_code) {
    ber::reader result(op.content);
    if (auto code = result.expect(ber::enumerated))
      out.result_code = ber::decode_integer(code->content);
  }
}

// One datagram may carry several LDAPMessages (the entry and the done), and RFC 1798's
// response wraps them in a SEQUENCE OF; messages with another id are not ours.
bool read_datagram(std::string_view d, search_answer& out) {
  bool ours = false;
  ber::reader top(d);
  while (auto msg = top.expect(ber::sequence)) {
    ber::reader m(msg->content);
    auto id = m.expect(ber::integer);
    if (!id || ber::decode_integer(id->content) != message_id) break;
    auto op = m.next();
    if (op && op->tag == ber::octet_string) op = m.next();  // RFC 1798's user name
    if (!op) break;
    ours = true;
    if (op->tag == ber::sequence) {
      ber::reader ops(op->content);
      while (auto inner = ops.next()) read_operation(*inner, out);
    } else {
      read_operation(*op, out);
    }
  }
  return ours;
}

std::string entry_summary(const search_answer& a) {
  std::string s = "a CLDAP rootDSE with " + count_text(a.attributes.size(), "attribute");
  if (!a.attributes.empty()) {
    auto type = [](const attribute& attr) { return escaped_text(attr.type, 40); };
    s += " (" + listed(a.attributes, names_shown, type) + ")";
  }
  for (auto wanted : shown_values) {
    for (const auto& attr : a.attributes) {
      if (!common::iequals(attr.type, wanted) || attr.values.empty()) continue;
      s += "; " + std::string(wanted) + ": " +
           listed(attr.values, values_per_attribute, [](auto v) { return escaped_text(v, 80); });
      break;
    }
  }
  return s;
}

}  // namespace

std::vector<std::string> cldap_requests() {
  auto search = ber::tlv(search_request,
                         ber::encode_octets("") +                       // baseObject: the rootDSE
                             ber::tlv(ber::enumerated, zero) +          // scope: baseObject
                             ber::tlv(ber::enumerated, zero) +          // derefAliases: never
                             ber::encode_integer(0) +                   // sizeLimit: none
                             ber::encode_integer(0) +                   // timeLimit: none
                             ber::tlv(ber::boolean, zero) +             // typesOnly: false
                             ber::tlv(filter_present, "objectClass") +  // (objectClass=*)
                             ber::tlv(ber::sequence, {}));  // attributes: all user attributes
  return {ber::tlv(ber::sequence, ber::encode_integer(message_id) + search)};
}

reading cldap_read(std::span<const std::string_view> answers) {
  search_answer a;
  bool any = false;
  for (auto d : answers) any = read_datagram(d, a) || any;
  if (a.entry) return {entry_summary(a), "cldap-reflector"};
  if (any) {
    return {"an LDAP server answering over UDP without an entry (result code " +
                (a.result_code ? std::to_string(*a.result_code) : std::string("unknown")) + ")",
            {}};
  }
  return {not_the_protocol("CLDAP", answers), {}};
}

}  // namespace breakwater::probe::udp::detail
