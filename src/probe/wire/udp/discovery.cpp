// Local-network discovery protocols that answer from the internet: SSDP, WS-Discovery,
// Ubiquiti discovery and CoAP. Each belongs on a LAN; an answer from the WAN side makes the
// device an amplifier and tells strangers what it is.
#include "probe/wire/ssdp_reply.hpp"
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"
#include "probe/wire/xml_subset.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

namespace breakwater::probe::udp::detail {
namespace {

std::string_view header(const ssdp_reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

}  // namespace

// --- SSDP (UPnP Device Architecture 2.0, 1.3.2): M-SEARCH for every device and service.

std::vector<std::string> ssdp_requests() { return {make_msearch("239.255.255.250", 1900)}; }

reading ssdp_read(std::span<const std::string_view> answers) {
  std::optional<ssdp_reply> first;
  std::size_t replies = 0;
  for (auto a : answers) {
    auto r = parse_ssdp_reply(a);
    if (!r) continue;
    ++replies;
    if (!first) first = std::move(r);
  }
  if (!first) return {not_the_protocol("SSDP", answers), {}};
  std::string s = fmt::format("SSDP {}", quoted(first->status_line, 40));
  if (auto server = header(*first, "SERVER"); !server.empty()) s += ", server " + quoted(server);
  if (auto location = header(*first, "LOCATION"); !location.empty())
    s += ", location " + quoted(location, 80);
  if (replies > 1)
    s += fmt::format(" ({} answers, {} bytes in all)", replies, total_bytes(answers));
  return {std::move(s), "ssdp-reflector"};
}

// --- WS-Discovery (OASIS WS-Discovery, the 2005/04 draft that devices speak). A Probe with
// no Types matches every target service (5.1) and is what cameras answer; Windows hosts and
// Samba's wsdd answer only a Probe for wsdp:Device, so both go out.

namespace {

std::string wsd_probe(std::string_view message_id, std::string_view types) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""
      " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
      " xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\""
      " xmlns:wsdp=\"http://schemas.xmlsoap.org/ws/2006/02/devprof\">"
      "<soap:Header>"
      "<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>"
      "<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>"
      "<wsa:MessageID>urn:uuid:{}</wsa:MessageID>"
      "</soap:Header>"
      "<soap:Body><wsd:Probe>{}</wsd:Probe></soap:Body>"
      "</soap:Envelope>",
      message_id, types);
}

std::string element_text(std::string_view xml, std::string_view name) {
  auto e = find_element(xml, name);
  return e ? xml_unescape(common::trim(e->content)) : std::string{};
}

}  // namespace

std::vector<std::string> wsd_requests() {
  return {wsd_probe("62776174-6572-4000-8000-70726f626531", ""),
          wsd_probe("62776174-6572-4000-8000-70726f626532", "<wsd:Types>wsdp:Device</wsd:Types>")};
}

reading wsd_read(std::span<const std::string_view> answers) {
  bool soap = false;
  for (auto a : answers) {
    auto envelope = find_element(a, "Envelope");
    if (!envelope) continue;
    soap = true;
    auto matches = find_element(envelope->content, "ProbeMatches");
    if (!matches) continue;
    std::size_t count = 0;
    std::optional<xml_element> first;
    for (auto m = find_element(matches->content, "ProbeMatch"); m && count < 64;
         m = find_element(matches->content, "ProbeMatch", m->after)) {
      if (!first) first = m;
      ++count;
    }
    std::string s = "WS-Discovery ProbeMatches";
    if (first) {
      std::string types = element_text(first->content, "Types");
      std::string xaddrs = element_text(first->content, "XAddrs");
      if (!types.empty()) s += ": types " + quoted(types);
      if (!xaddrs.empty())
        s += (types.empty() ? ": addresses " : ", addresses ") + quoted(xaddrs, 80);
    }
    if (count > 1) s += fmt::format(" ({} matches)", count);
    return {std::move(s), "ws-discovery"};
  }
  if (soap)
    return {fmt::format("a SOAP answer without ProbeMatches ({} bytes)", answers.front().size()),
            {}};
  return {not_the_protocol("WS-Discovery", answers), {}};
}

// --- Ubiquiti discovery (UDP 10001). No published specification: the layout is the one
// publicly described for these devices: version (1 or 2), command, a 16-bit length, then
// type-length-value fields (1-byte type, 16-bit length).

namespace {

struct ubiquiti_fields {
  std::string_view hostname, model, firmware;
  std::size_t count = 0;
};

// 0x03 is the firmware version, 0x16 the version newer devices send instead; 0x14 the full
// model name, 0x15 and 0x0c short ones.
void keep_ubiquiti_field(ubiquiti_fields& f, std::uint8_t type, std::string_view value) {
  auto keep_first = [](std::string_view& field, std::string_view v) {
    if (field.empty()) field = v;
  };
  switch (type) {
    case 0x03: f.firmware = value; break;
    case 0x16: keep_first(f.firmware, value); break;
    case 0x0b: f.hostname = value; break;
    case 0x14: f.model = value; break;
    case 0x15:
    case 0x0c: keep_first(f.model, value); break;
    default: break;
  }
}

std::optional<ubiquiti_fields> parse_ubiquiti(std::string_view answer) {
  byte_reader r(answer);
  auto version = r.u8();
  r.skip(1);  // command
  auto length = r.u16();
  if (!r.ok() || (version != 1 && version != 2) || length == 0 || length > r.left())
    return std::nullopt;
  byte_reader fields(r.take(length));
  ubiquiti_fields f;
  while (fields.left() > 0) {
    auto type = fields.u8();
    auto value = fields.take(fields.u16());
    if (!fields.ok()) return std::nullopt;
    keep_ubiquiti_field(f, type, value);
    ++f.count;
  }
  return f;
}

std::optional<std::string> ubiquiti_summary(std::string_view answer) {
  auto f = parse_ubiquiti(answer);
  if (!f) return std::nullopt;
  std::string s = "Ubiquiti discovery";
  const char* sep = ": ";
  auto add = [&](std::string_view label, std::string_view value) {
    if (value.empty()) return;
    s += fmt::format("{}{} {}", sep, label, quoted(value, 40));
    sep = ", ";
  };
  add("hostname", f->hostname);
  add("model", f->model);
  add("firmware", f->firmware);
  if (f->hostname.empty() && f->model.empty() && f->firmware.empty())
    s += " (" + count_text(f->count, "field") + ")";
  return s;
}

}  // namespace

std::vector<std::string> ubiquiti_requests() { return {std::string("\x01\x00\x00\x00", 4)}; }

reading ubiquiti_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "Ubiquiti discovery", "ubiquiti-discovery", ubiquiti_summary);
}

// --- CoAP (RFC 7252): a confirmable GET of /.well-known/core, the resource list in the
// CoRE link format (RFC 6690).

namespace {

constexpr std::string_view coap_message_id = "\x62\x77";
constexpr std::string_view coap_token = "bwcp";

struct coap_message {
  std::uint8_t type = 0;  // 0 CON, 1 NON, 2 ACK, 3 RST (RFC 7252 3)
  std::uint8_t code = 0;  // class << 5 | detail
  std::string_view message_id, token, payload;
};

// An option's delta or length nibble with its extension bytes (RFC 7252 3.1).
unsigned coap_extended(byte_reader& r, unsigned nibble) {
  if (nibble == 13) return 13u + r.u8();
  if (nibble == 14) return 269u + r.u16();
  return nibble;
}

std::optional<coap_message> parse_coap(std::string_view answer) {
  byte_reader r(answer);
  auto first = r.u8();
  coap_message m;
  m.type = (first >> 4) & 3;
  m.code = r.u8();
  m.message_id = r.take(2);
  unsigned token_length = first & 0x0f;
  if (!r.ok() || (first >> 6) != 1 || token_length > 8) return std::nullopt;
  m.token = r.take(token_length);
  while (r.left() > 0) {
    auto b = r.u8();
    if (b == 0xff) {
      m.payload = r.rest();
      if (m.payload.empty()) return std::nullopt;  // a marker must be followed by a payload
      break;
    }
    // 15 is reserved in either nibble; an extended value of 15 (13 + 2) is an ordinary one.
    if ((b >> 4) == 15 || (b & 0x0f) == 15) return std::nullopt;
    coap_extended(r, b >> 4);  // the option number's delta: not needed
    r.skip(coap_extended(r, b & 0x0f));
  }
  if (!r.ok()) return std::nullopt;
  return m;
}

std::string_view coap_code_text(std::uint8_t code) {
  static constexpr std::array<std::pair<std::uint8_t, std::string_view>, 21> names{{
      {0x41, "Created"},
      {0x42, "Deleted"},
      {0x43, "Valid"},
      {0x44, "Changed"},
      {0x45, "Content"},
      {0x80, "Bad Request"},
      {0x81, "Unauthorized"},
      {0x82, "Bad Option"},
      {0x83, "Forbidden"},
      {0x84, "Not Found"},
      {0x85, "Method Not Allowed"},
      {0x86, "Not Acceptable"},
      {0x8c, "Precondition Failed"},
      {0x8d, "Request Entity Too Large"},
      {0x8f, "Unsupported Content-Format"},
      {0xa0, "Internal Server Error"},
      {0xa1, "Not Implemented"},
      {0xa2, "Bad Gateway"},
      {0xa3, "Service Unavailable"},
      {0xa4, "Gateway Timeout"},
      {0xa5, "Proxying Not Supported"},
  }};
  for (const auto& [c, name] : names) {
    if (c == code) return name;
  }
  return {};
}

// The first few targets of a link-format payload: "</sensors>, </light>".
std::string coap_links(std::string_view payload, std::size_t& total) {
  std::string out;
  total = 0;
  for (std::size_t at = payload.find('<'); at != std::string_view::npos;
       at = payload.find('<', at + 1)) {
    std::size_t end = payload.find('>', at);
    if (end == std::string_view::npos) break;
    if (++total <= 4) {
      if (!out.empty()) out += ", ";
      out += payload.substr(at, end - at + 1);
    }
    at = end;
  }
  return out;
}

std::string coap_response_summary(const coap_message& m) {
  std::string s = fmt::format("CoAP {}.{:02}", m.code >> 5, m.code & 0x1f);
  if (auto name = coap_code_text(m.code); !name.empty()) s += fmt::format(" {}", name);
  std::size_t total = 0;
  std::string links = coap_links(m.payload, total);
  if (total > 0) {
    s += ", resources " + quoted(links, 100);
    if (total > 4) s += fmt::format(" and {} more", total - 4);
  }
  return s;
}

// How much an answer says, for choosing among several: a response beats an empty
// acknowledgement (its response follows separately), which beats a reset. 0: not ours.
int coap_rank(const coap_message& m) {
  unsigned code_class = m.code >> 5;
  if ((code_class == 2 || code_class == 4 || code_class == 5) && m.token == coap_token) return 3;
  if (m.code == 0 && m.message_id == coap_message_id) return m.type == 2 ? 2 : m.type == 3 ? 1 : 0;
  return 0;
}

}  // namespace

std::vector<std::string> coap_requests() {
  std::string r;
  put_u8(r, 0x40 | coap_token.size());  // version 1, confirmable, token length
  put_u8(r, 0x01);                      // 0.01 GET
  r += coap_message_id;
  r += coap_token;
  put_u8(r, 0xbb);  // Uri-Path (option 11), 11 bytes
  r += ".well-known";
  put_u8(r, 0x04);  // Uri-Path again (delta 0), 4 bytes
  r += "core";
  return {r};
}

reading coap_read(std::span<const std::string_view> answers) {
  std::optional<coap_message> best;
  int best_rank = 0;
  for (auto a : answers) {
    auto m = parse_coap(a);
    if (!m) continue;
    if (int rank = coap_rank(*m); rank > best_rank) {
      best = m;
      best_rank = rank;
    }
  }
  switch (best_rank) {
    case 3: return {coap_response_summary(*best), "coap-exposed"};
    case 2:
      return {"CoAP: an empty acknowledgement (its answer follows separately)", "coap-exposed"};
    case 1: return {"CoAP: a reset (it speaks CoAP but refused the request)", "coap-exposed"};
    default: return {not_the_protocol("CoAP", answers), {}};
  }
}

}  // namespace breakwater::probe::udp::detail
