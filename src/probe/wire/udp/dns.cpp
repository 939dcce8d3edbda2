// DNS (RFC 1035), multicast DNS (RFC 6762, 6763) and the NetBIOS name service (RFC 1002): one
// message format, three questions.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include "common/cidr.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace breakwater::probe::udp::detail {
namespace {

// Fixed: a try is one query, and an answer must echo it (RFC 1035 4.1.1).
constexpr std::uint16_t query_id = 0x6277;

constexpr std::uint16_t flag_qr = 0x8000, flag_aa = 0x0400, flag_tc = 0x0200, flag_rd = 0x0100,
                        flag_ra = 0x0080;
constexpr std::uint16_t type_a = 1, type_cname = 5, type_ptr = 12, type_aaaa = 28,
                        type_nbstat = 0x21;
constexpr std::uint16_t class_in = 1;
constexpr std::uint16_t qu_bit = 0x8000;  // RFC 6762 5.4: "answer me by unicast"

// Cap on records read from one message: a datagram holds at most a few hundred anyway.
constexpr std::size_t max_records = 64;
// RFC 1035 3.1: a name is at most 255 bytes; pointers are bounded separately so that a loop of
// pointers ends.
constexpr std::size_t max_name = 255, max_jumps = 32;

struct header {
  std::uint16_t id = 0, flags = 0, qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  unsigned opcode() const noexcept { return (flags >> 11) & 0xf; }
  unsigned rcode() const noexcept { return flags & 0xf; }
};

struct record {
  std::string name;
  std::uint16_t type = 0, cls = 0;
  std::string_view rdata;
  std::size_t rdata_at = 0;  // offset of rdata in the message: names in it may point back
};

struct message {
  header h;
  std::vector<record> answers;  // the answer section, as far as it could be read
};

// RFC 1035 4.1.4: labels, ending in a zero byte or a pointer to an earlier name. The text joins
// the raw labels with dots (escape before showing). Sets `end` past the name where it started.
std::optional<std::string> read_name(std::string_view msg, std::size_t at, std::size_t& end) {
  std::string text;
  std::size_t jumps = 0;
  bool jumped = false;
  while (true) {
    if (at >= msg.size()) return std::nullopt;
    auto len = static_cast<std::uint8_t>(msg[at]);
    if ((len & 0xc0) == 0xc0) {
      if (at + 1 >= msg.size() || ++jumps > max_jumps) return std::nullopt;
      if (!jumped) end = at + 2;
      jumped = true;
      at = static_cast<std::size_t>((len & 0x3f) << 8 | static_cast<std::uint8_t>(msg[at + 1]));
      continue;
    }
    if ((len & 0xc0) != 0) return std::nullopt;  // the extended label types are obsolete
    if (len == 0) {
      if (!jumped) end = at + 1;
      return text;
    }
    if (at + 1 + len > msg.size() || text.size() + len + 1 > max_name) return std::nullopt;
    if (!text.empty()) text += '.';
    text.append(msg.substr(at + 1, len));
    at += 1 + std::size_t{len};
  }
}

std::optional<header> read_header(std::string_view msg) {
  byte_reader r(msg);
  header h{r.u16(), r.u16(), r.u16(), r.u16(), r.u16(), r.u16()};
  if (!r.ok()) return std::nullopt;
  return h;
}

// The header and as much of the answer section as is well-formed: a truncated record ends the
// list without making the message "not DNS".
std::optional<message> read_message(std::string_view msg) {
  auto h = read_header(msg);
  if (!h) return std::nullopt;
  message m{*h, {}};
  std::size_t at = 12;
  for (unsigned q = 0; q < h->qdcount; ++q) {
    std::size_t end = 0;
    if (!read_name(msg, at, end) || end + 4 > msg.size()) return m;
    at = end + 4;
  }
  for (unsigned a = 0; a < h->ancount && m.answers.size() < max_records; ++a) {
    std::size_t end = 0;
    auto name = read_name(msg, at, end);
    if (!name) return m;
    byte_reader r(msg, end);
    record rec{*name, r.u16(), r.u16(), {}, 0};
    r.skip(4);  // TTL
    auto rdlength = r.u16();
    rec.rdata_at = r.offset();
    rec.rdata = r.take(rdlength);
    if (!r.ok()) return m;
    m.answers.push_back(std::move(rec));
    at = r.offset();
  }
  return m;
}

// RFC 1035 3.1 wire form of a dotted name.
std::string wire_name(std::string_view dotted) {
  std::string out;
  for (auto label : split(dotted, '.')) {
    put_u8(out, label.size());
    out += label;
  }
  put_u8(out, 0);
  return out;
}

std::string query(std::uint16_t flags, std::string_view encoded_name, std::uint16_t type,
                  std::uint16_t cls) {
  std::string q;
  put_u16(q, query_id);
  put_u16(q, flags);
  put_u16(q, 1);  // one question, no records
  put_u16(q, 0);
  put_u16(q, 0);
  put_u16(q, 0);
  q += encoded_name;
  put_u16(q, type);
  put_u16(q, cls);
  return q;
}

std::string shown_name(std::string_view name) {
  return escaped_text(name.empty() ? "." : name, 80);
}

std::string_view rcode_name(unsigned rcode) noexcept {
  static constexpr std::array<std::string_view, 11> names{
      "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  return rcode < names.size() ? names[rcode] : std::string_view{};
}

std::string rcode_text(unsigned rcode) {
  auto n = rcode_name(rcode);
  return n.empty() ? "RCODE " + std::to_string(rcode) : std::string(n);
}

// "A 192.0.2.1", "CNAME www.example.net": the first answer of a type worth showing.
std::string first_answer_text(std::string_view msg, const message& m) {
  for (const auto& rec : m.answers) {
    if (rec.type == type_a && rec.rdata.size() == 4) {
      common::ip_bytes ip;
      std::copy(rec.rdata.begin(), rec.rdata.end(), ip.bytes.begin());
      return "A " + common::to_string(ip);
    }
    if (rec.type == type_aaaa && rec.rdata.size() == 16) {
      common::ip_bytes ip;
      ip.v6 = true;
      std::copy(rec.rdata.begin(), rec.rdata.end(), ip.bytes.begin());
      return "AAAA " + common::to_string(ip);
    }
    if (rec.type == type_cname) {
      std::size_t end = 0;
      if (auto target = read_name(msg, rec.rdata_at, end)) return "CNAME " + shown_name(*target);
    }
  }
  return {};
}

std::string dns_facts(std::string_view msg, const message& m) {
  std::string s = m.h.flags & flag_ra ? "recursion available" : "recursion not available";
  if (m.h.flags & flag_aa) s += ", authoritative";
  if (m.h.flags & flag_tc) s += ", truncated";
  s += ", " + rcode_text(m.h.rcode()) + ", " + count_text(m.h.ancount, "answer");
  if (auto first = first_answer_text(msg, m); !first.empty()) s += ", first " + first;
  return s;
}

// A response to our query: QR set, our id echoed (anything else is not an answer to us).
std::optional<message> our_response(std::string_view msg) {
  auto m = read_message(msg);
  if (!m || !(m->h.flags & flag_qr) || m->h.id != query_id) return std::nullopt;
  return m;
}

// RFC 1002 4.1: a NetBIOS name is 16 bytes, each split into two nibbles written as 'A' + nibble.
std::string netbios_encoded(std::string_view name16) {
  std::string out;
  put_u8(out, 32);
  for (char c : name16) {
    auto b = static_cast<std::uint8_t>(c);
    out += static_cast<char>('A' + (b >> 4));
    out += static_cast<char>('A' + (b & 0xf));
  }
  put_u8(out, 0);  // no scope
  return out;
}

std::string hex2(unsigned b) {
  static constexpr char digits[] = "0123456789abcdef";
  return {digits[(b >> 4) & 0xf], digits[b & 0xf]};
}

// RFC 1002 4.2.18: NUM_NAMES, then 18 bytes a name (15 characters, the suffix, two bytes of
// flags), then the statistics, which begin with the 6-byte unit id (the MAC address).
std::string netbios_name_table(std::string_view rdata) {
  constexpr std::size_t names_shown = 8;
  byte_reader r(rdata);
  std::vector<std::string> names;
  for (unsigned i = 0, count = r.u8(); i < count; ++i) {
    auto name = r.take(15);
    auto suffix = r.u8();
    auto flags = r.u16();
    if (!r.ok()) break;
    auto trimmed = name.substr(0, name.find_last_not_of(' ') + 1);
    names.push_back(escaped_text(trimmed, 40) + "<" + hex2(suffix) + ">" +
                    (flags & 0x8000 ? " (group)" : ""));
  }
  std::string s = names.empty() ? "no names" : "names " + listed(names, names_shown);
  auto mac = r.take(6);
  if (r.ok() && mac.find_first_not_of('\0') != std::string_view::npos) {
    s += "; MAC ";
    for (std::size_t i = 0; i < mac.size(); ++i) {
      if (i > 0) s += ':';
      s += hex2(static_cast<std::uint8_t>(mac[i]));
    }
  }
  return s;
}

std::optional<std::string> mdns_summary(std::string_view a) {
  constexpr std::size_t services_shown = 5;
  auto m = read_message(a);
  // A legacy unicast answer echoes our id (RFC 6762 6.7); a multicast-style one carries 0.
  if (!m || !(m->h.flags & flag_qr) || m->h.opcode() != 0 ||
      (m->h.id != query_id && m->h.id != 0)) {
    return std::nullopt;
  }
  std::vector<std::string> services;
  for (const auto& rec : m->answers) {
    std::size_t end = 0;
    if (rec.type != type_ptr) continue;
    auto target = read_name(a, rec.rdata_at, end);
    if (!target || end > rec.rdata_at + rec.rdata.size()) continue;
    if (std::find(services.begin(), services.end(), *target) == services.end()) {
      services.push_back(std::move(*target));
    }
  }
  if (services.empty()) {
    return "an mDNS responder (" + count_text(m->h.ancount, "answer") + ", no service list)";
  }
  return "an mDNS responder listing " + listed(services, services_shown, shown_name);
}

std::optional<std::string> netbios_summary(std::string_view a) {
  auto m = our_response(a);
  if (!m || m->h.opcode() != 0) return std::nullopt;
  for (const auto& rec : m->answers) {
    if (rec.type == type_nbstat) return "a NetBIOS name service: " + netbios_name_table(rec.rdata);
  }
  return "a NetBIOS name service that sent no name table (result code " +
         std::to_string(m->h.rcode()) + ")";
}

}  // namespace

std::vector<std::string> dns_requests() {
  return {query(flag_rd, wire_name("example.com"), type_a, class_in)};
}

reading dns_read(std::span<const std::string_view> answers) {
  for (auto a : answers) {
    auto m = our_response(a);
    if (!m) continue;
    bool recurses = (m->h.flags & flag_ra) != 0;
    if (recurses && m->h.rcode() == 0 && m->h.ancount > 0) {
      return {"a DNS resolver open to anyone: " + dns_facts(a, *m), "open-resolver"};
    }
    if (!recurses || m->h.rcode() == 5) {
      return {"a DNS server that does not recurse for strangers (" + dns_facts(a, *m) + ")", {}};
    }
    return {"a DNS server: " + dns_facts(a, *m), {}};
  }
  return {not_the_protocol("DNS", answers), {}};
}

std::vector<std::string> mdns_requests() {
  // RFC 6763 9: the service type list.
  return {query(0, wire_name("_services._dns-sd._udp.local"), type_ptr, qu_bit | class_in)};
}

reading mdns_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "mDNS", "mdns-exposed", mdns_summary);
}

std::vector<std::string> netbios_requests() {
  // RFC 1002 4.2.17: NODE STATUS REQUEST for "*", no flags, type NBSTAT.
  return {query(0, netbios_encoded(std::string_view("*\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16)),
                type_nbstat, class_in)};
}

reading netbios_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "NetBIOS", "netbios-exposed", netbios_summary);
}

}  // namespace breakwater::probe::udp::detail
