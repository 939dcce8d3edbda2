// NAT traversal services: NAT-PMP, which a router must never answer on its WAN side, and
// STUN, which is normal wherever the visitor runs a server of their own.
#include "probe/wire/nat_pmp.hpp"
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace breakwater::probe::udp::detail {

// --- NAT-PMP (RFC 6886 3.2): the external address request.

std::vector<std::string> nat_pmp_requests() {
  auto r = make_nat_pmp_address_request();
  return {std::string(r.begin(), r.end())};
}

namespace {

std::optional<std::string> nat_pmp_summary(std::string_view answer) {
  auto r = parse_nat_pmp_address_answer(
      std::span(reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size()));
  if (!r) return std::nullopt;
  if (r->result != 0)
    return fmt::format("NAT-PMP answer: {} (result {})", nat_pmp_result_text(r->result), r->result);
  const auto& ip = r->address;
  return fmt::format("NAT-PMP answer: success, external address {}.{}.{}.{}", ip[0], ip[1], ip[2],
                     ip[3]);
}

}  // namespace

reading nat_pmp_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "NAT-PMP", "nat-pmp-wan", nat_pmp_summary);
}

// --- STUN (RFC 8489): a Binding request without attributes.

namespace {

constexpr std::uint32_t stun_cookie = 0x2112a442;
constexpr std::string_view stun_transaction = "bwstunprobe1";  // 96 bits (6 of RFC 8489)

struct stun_answer {
  bool success = false;
  std::string mapped;  // "198.51.100.7:40000", "[2001:db8::1]:40000"
  std::string_view software;
  unsigned error_code = 0;
  std::string_view reason;
};

// A (XOR-)MAPPED-ADDRESS value (RFC 8489 14.1, 14.2) as text; empty when malformed.
std::string stun_address(std::string_view value, bool xored) {
  byte_reader r(value);
  r.skip(1);  // reserved
  auto family = r.u8();
  auto port = r.u16();
  auto raw = r.take(family == 1 ? 4 : family == 2 ? 16 : 0);
  if (!r.ok() || raw.empty()) return {};
  std::array<unsigned char, 16> ip{};
  std::string mask;  // the cookie, then for IPv6 the transaction id
  put_u32(mask, stun_cookie);
  mask += stun_transaction;
  for (std::size_t i = 0; i < raw.size(); ++i)
    ip[i] = static_cast<unsigned char>(raw[i] ^ (xored ? mask[i] : 0));
  if (xored) port ^= static_cast<std::uint16_t>(stun_cookie >> 16);
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family == 1 ? AF_INET : AF_INET6, ip.data(), text, sizeof text) == nullptr)
    return {};
  return family == 1 ? fmt::format("{}:{}", text, port) : fmt::format("[{}]:{}", text, port);
}

void keep_stun_attribute(stun_answer& s, std::uint16_t type, std::string_view value) {
  switch (type) {
    case 0x0020:  // XOR-MAPPED-ADDRESS
    case 0x8020:  // its number in the drafts before RFC 5389, still sent by old servers
      if (auto m = stun_address(value, true); !m.empty()) s.mapped = std::move(m);
      break;
    case 0x0001:  // MAPPED-ADDRESS (RFC 3489 servers)
      if (s.mapped.empty()) s.mapped = stun_address(value, false);
      break;
    case 0x8022: s.software = value; break;  // SOFTWARE
    case 0x0009:                             // ERROR-CODE: 21 reserved bits, class, number
      if (value.size() >= 4) {
        s.error_code =
            (static_cast<unsigned>(value[2]) & 7) * 100 + static_cast<std::uint8_t>(value[3]);
        s.reason = value.substr(4);
      }
      break;
    default: break;
  }
}

std::optional<stun_answer> parse_stun(std::string_view answer) {
  byte_reader r(answer);
  auto type = r.u16();
  auto length = r.u16();
  auto cookie = r.u32();
  auto transaction = r.take(12);
  if (!r.ok() || (type != 0x0101 && type != 0x0111) || cookie != stun_cookie ||
      transaction != stun_transaction || length > r.left())
    return std::nullopt;
  stun_answer s;
  s.success = type == 0x0101;
  byte_reader attrs(r.take(length));
  while (attrs.left() >= 4) {
    auto attr = attrs.u16();
    auto value = attrs.take(attrs.u16());
    if (!attrs.ok()) break;  // an attribute that overruns the message ends the list
    keep_stun_attribute(s, attr, value);
    attrs.skip(std::min((4 - value.size() % 4) % 4, attrs.left()));  // padding, maybe cut
  }
  return s;
}

std::optional<std::string> stun_summary(std::string_view answer) {
  auto parsed = parse_stun(answer);
  if (!parsed) return std::nullopt;
  const stun_answer& s = *parsed;
  std::string out;
  if (s.success) {
    out = "STUN binding success";
    if (!s.mapped.empty()) out += ", mapped address " + s.mapped;
  } else {
    out = fmt::format("STUN error {}", s.error_code);
    if (!s.reason.empty()) out += " " + quoted(s.reason, 40);
  }
  if (!s.software.empty()) out += ", software " + quoted(s.software);
  return out;
}

}  // namespace

std::vector<std::string> stun_requests() {
  std::string r;
  put_u16(r, 0x0001);  // Binding request
  put_u16(r, 0);       // no attributes
  put_u32(r, stun_cookie);
  r += stun_transaction;
  return {r};
}

reading stun_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "STUN", {}, stun_summary);
}

}  // namespace breakwater::probe::udp::detail
