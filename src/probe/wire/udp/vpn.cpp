// VPN and encrypted transports: OpenVPN, IKE (plain and NAT-T), QUIC and WireGuard. Only an
// OpenVPN server without tls-auth, an IKE responder and a QUIC server answer a stranger; a
// WireGuard endpoint never does.
#include "probe/wire/udp/answer_bytes.hpp"
#include "probe/wire/udp/families.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <vector>

namespace breakwater::probe::udp::detail {

// --- OpenVPN (its reliability layer over UDP, as documented in OpenVPN's ssl.h protocol
// notes): a client's first packet, P_CONTROL_HARD_RESET_CLIENT_V2. A server with tls-auth or
// tls-crypt drops it for lack of an HMAC; one without answers P_CONTROL_HARD_RESET_SERVER_V2.

namespace {

constexpr std::uint8_t openvpn_client_reset_v2 = 7;
constexpr std::uint8_t openvpn_server_reset_v2 = 8;
constexpr std::string_view openvpn_session = "bwovpn01";

// Opcode and key id, session id, the ack array (its count, packet ids, the peer's session
// id), and the packet id.
std::optional<std::string> openvpn_summary(std::string_view answer) {
  byte_reader r(answer);
  auto op = r.u8();
  r.skip(8);  // the server's session id
  auto acks = r.u8();
  if (acks > 8) return std::nullopt;
  r.skip(4u * acks);
  auto acked_session = acks > 0 ? r.take(8) : openvpn_session;
  r.skip(4);  // packet id
  if (!r.ok() || (op >> 3) != openvpn_server_reset_v2 || acked_session != openvpn_session)
    return std::nullopt;
  return "OpenVPN server (answers without tls-auth/tls-crypt)";
}

}  // namespace

std::vector<std::string> openvpn_requests() {
  std::string r;
  put_u8(r, openvpn_client_reset_v2 << 3);  // key id 0
  r += openvpn_session;
  put_u8(r, 0);   // no acks
  put_u32(r, 0);  // packet id 0
  return {r};
}

reading openvpn_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "OpenVPN", {}, openvpn_summary);
}

// --- IKE (RFC 7296): an IKEv2 IKE_SA_INIT request with one proposal every responder can
// parse. A responder answers with its own IKE_SA_INIT or with a Notify saying why not.

namespace {

constexpr std::string_view ike_spi{"bwike\x00\x00\x01", 8};
constexpr std::uint8_t ike_sa = 33, ike_ke = 34, ike_nonce = 40, ike_notify = 41;
constexpr std::uint8_t ike_encrypted = 46, ikev1_sa = 1, ikev1_notification = 11;
constexpr std::uint8_t ike_sa_init = 34;
constexpr unsigned ike_dh_group = 14;     // 2048-bit MODP (RFC 3526 3)
constexpr std::size_t ike_ke_size = 256;  // its public value
constexpr std::size_t ike_nonce_size = 32;

// RFC 7296 3.3.2: a transform; `more` says another follows.
void put_transform(std::string& out, bool more, unsigned type, unsigned id, int key_bits = 0) {
  put_u8(out, more ? 3 : 0);
  put_u8(out, 0);
  put_u16(out, key_bits ? 12 : 8);
  put_u8(out, type);
  put_u8(out, 0);
  put_u16(out, id);
  if (key_bits) {
    put_u16(out, 0x800e);  // Key Length, TV format (3.3.5)
    put_u16(out, static_cast<unsigned>(key_bits));
  }
}

std::string ike_sa_payload() {
  std::string transforms;
  put_transform(transforms, true, 1, 12, 128);  // ENCR_AES_CBC, 128-bit key
  put_transform(transforms, true, 2, 2);        // PRF_HMAC_SHA1
  put_transform(transforms, true, 3, 2);        // AUTH_HMAC_SHA1_96
  put_transform(transforms, false, 4, ike_dh_group);
  std::string p;
  put_u8(p, ike_ke);  // next payload
  put_u8(p, 0);
  put_u16(p, 4 + 8 + transforms.size());
  put_u8(p, 0);  // the last proposal
  put_u8(p, 0);
  put_u16(p, 8 + transforms.size());
  put_u8(p, 1);  // proposal 1
  put_u8(p, 1);  // protocol IKE
  put_u8(p, 0);  // no SPI in IKE_SA_INIT
  put_u8(p, 4);  // transforms
  return p + transforms;
}

std::string ike_request() {
  std::string body = ike_sa_payload();
  put_u8(body, ike_nonce);  // KE (3.4)
  put_u8(body, 0);
  put_u16(body, 8 + ike_ke_size);
  put_u16(body, ike_dh_group);
  put_u16(body, 0);
  body.append(ike_ke_size, '\x5a');  // 1 < y < p-1, as the responder checks
  put_u8(body, 0);                   // Nonce (3.9), the last payload
  put_u8(body, 0);
  put_u16(body, 4 + ike_nonce_size);
  body.append(ike_nonce_size, '\x6e');
  std::string r(ike_spi);
  r.append(8, '\0');  // responder's SPI: not known yet
  put_u8(r, ike_sa);
  put_u8(r, 0x20);  // version 2.0
  put_u8(r, ike_sa_init);
  put_u8(r, 0x08);  // Initiator
  put_u32(r, 0);    // message id
  put_u32(r, static_cast<std::uint32_t>(28 + body.size()));
  return r + body;
}

struct ike_answer {
  unsigned major = 0;
  std::uint8_t exchange = 0;
  bool response = false;
  bool has_sa = false;
  std::vector<std::uint16_t> notifies;  // at most 8
  std::uint16_t wanted_group = 0;       // INVALID_KE_PAYLOAD's data
};

// A Notify body: IKEv2 (3.10) protocol, SPI size, type; IKEv1 (RFC 2408 3.14) has a DOI first.
void read_notify(ike_answer& a, std::string_view body) {
  byte_reader r(body);
  if (a.major == 1) r.skip(4);  // DOI
  r.skip(1);                    // protocol
  auto spi_size = r.u8();
  auto type = r.u16();
  r.skip(spi_size);
  if (!r.ok()) return;
  if (a.notifies.size() < 8) a.notifies.push_back(type);
  auto group = r.u16();
  if (a.major == 2 && type == 17 && r.ok()) a.wanted_group = group;
}

std::optional<ike_answer> parse_ike(std::string_view message) {
  byte_reader r(message);
  ike_answer a;
  auto spi = r.take(8);
  r.skip(8);  // the responder's SPI
  auto next = r.u8();
  auto version = r.u8();
  a.exchange = r.u8();
  auto flags = r.u8();
  r.skip(4);  // message id
  auto length = r.u32();
  a.major = version >> 4;
  a.response = a.major == 2 && (flags & 0x20) != 0;
  if (!r.ok() || spi != ike_spi || (a.major != 1 && a.major != 2) || length < 28 ||
      length > message.size() || (a.major == 2 && !a.response))
    return std::nullopt;
  byte_reader body(message.substr(0, length), 28);
  for (int count = 0; next != 0 && count < 32; ++count) {
    auto following = body.u8();
    body.skip(1);  // the critical bit
    auto size = body.u16();
    auto payload = body.take(size < 4 ? 0 : size - 4u);
    if (!body.ok() || size < 4) break;
    if (a.major == 2 && next == ike_encrypted) break;  // the rest is ciphertext
    if (next == (a.major == 2 ? ike_sa : ikev1_sa)) a.has_sa = true;
    if (next == (a.major == 2 ? ike_notify : ikev1_notification)) read_notify(a, payload);
    next = following;
  }
  return a;
}

std::string_view ike_exchange_name(unsigned major, std::uint8_t type) {
  if (major == 2) {
    switch (type) {
      case 34: return "IKE_SA_INIT";
      case 35: return "IKE_AUTH";
      case 36: return "CREATE_CHILD_SA";
      case 37: return "INFORMATIONAL";
      default: return {};
    }
  }
  switch (type) {  // RFC 2408 4.1, RFC 2409 5
    case 2: return "Main Mode";
    case 4: return "Aggressive Mode";
    case 5: return "Informational";
    case 32: return "Quick Mode";
    default: return {};
  }
}

std::string ike_notify_name(unsigned major, std::uint16_t type) {
  static constexpr std::array<std::pair<std::uint16_t, std::string_view>, 26> v2{{
      {1, "UNSUPPORTED_CRITICAL_PAYLOAD"},
      {4, "INVALID_IKE_SPI"},
      {5, "INVALID_MAJOR_VERSION"},
      {7, "INVALID_SYNTAX"},
      {9, "INVALID_MESSAGE_ID"},
      {11, "INVALID_SPI"},
      {14, "NO_PROPOSAL_CHOSEN"},
      {17, "INVALID_KE_PAYLOAD"},
      {24, "AUTHENTICATION_FAILED"},
      {34, "SINGLE_PAIR_REQUIRED"},
      {35, "NO_ADDITIONAL_SAS"},
      {36, "INTERNAL_ADDRESS_FAILURE"},
      {37, "FAILED_CP_REQUIRED"},
      {38, "TS_UNACCEPTABLE"},
      {39, "INVALID_SELECTORS"},
      {43, "TEMPORARY_FAILURE"},
      {44, "CHILD_SA_NOT_FOUND"},
      {16388, "NAT_DETECTION_SOURCE_IP"},
      {16389, "NAT_DETECTION_DESTINATION_IP"},
      {16390, "COOKIE"},
      {16404, "MULTIPLE_AUTH_SUPPORTED"},
      {16406, "REDIRECT_SUPPORTED"},
      {16407, "REDIRECT"},
      {16418, "CHILDLESS_IKEV2_SUPPORTED"},
      {16430, "IKEV2_FRAGMENTATION_SUPPORTED"},
      {16431, "SIGNATURE_HASH_ALGORITHMS"},
  }};
  static constexpr std::array<std::pair<std::uint16_t, std::string_view>, 8> v1{{
      {1, "INVALID-PAYLOAD-TYPE"},
      {5, "INVALID-MAJOR-VERSION"},
      {7, "INVALID-EXCHANGE-TYPE"},
      {14, "NO-PROPOSAL-CHOSEN"},
      {16, "PAYLOAD-MALFORMED"},
      {17, "INVALID-KEY-INFORMATION"},
      {24, "AUTHENTICATION-FAILED"},
      {24576, "RESPONDER-LIFETIME"},
  }};
  for (const auto& [t, name] :
       major == 2 ? std::span(v2.data(), v2.size()) : std::span(v1.data(), v1.size())) {
    if (t == type) return std::string(name);
  }
  return fmt::format("notify {}", type);
}

std::optional<std::string> ike_summary(std::string_view message) {
  auto parsed = parse_ike(message);
  if (!parsed) return std::nullopt;
  const ike_answer& a = *parsed;
  std::string s = fmt::format("IKEv{}", a.major);
  if (auto name = ike_exchange_name(a.major, a.exchange); !name.empty())
    s += fmt::format(" {}", name);
  else
    s += fmt::format(" exchange {}", a.exchange);
  if (a.response) s += " response";
  if (a.has_sa) s += ", proposal accepted";
  for (std::size_t i = 0; i < a.notifies.size(); ++i) {
    s += (i > 0 ? ", " : a.has_sa ? "; notify " : ": ") + ike_notify_name(a.major, a.notifies[i]);
    if (a.major == 2 && a.notifies[i] == 17 && a.wanted_group != 0)
      s += fmt::format(" (wants DH group {})", a.wanted_group);
  }
  return s;
}

// RFC 3948 2.2: IKE on the NAT-T port starts with four zero bytes, where ESP has its SPI.
constexpr std::string_view non_esp_marker{"\0\0\0\0", 4};

std::optional<std::string> natt_summary(std::string_view answer) {
  if (!answer.starts_with(non_esp_marker)) return std::nullopt;
  return ike_summary(answer.substr(non_esp_marker.size()));
}

}  // namespace

std::vector<std::string> ike_requests() { return {ike_request()}; }

reading ike_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "IKE", {}, ike_summary);
}

std::vector<std::string> ike_natt_requests() {
  return {std::string(non_esp_marker) + ike_request()};
}

reading ike_natt_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "IKE", {}, natt_summary);
}

// --- QUIC (RFC 9000): a long header with a reserved version (15: 0x?a?a?a?a), which a server
// answers with Version Negotiation (6, 17.2.1) when the datagram could start a connection:
// at least 1200 bytes (14.1).

namespace {

constexpr std::uint32_t quic_probe_version = 0x1a2a3a4a;
constexpr std::string_view quic_dcid = "bwquicD1";
constexpr std::string_view quic_scid = "bwquicS1";
constexpr std::size_t quic_datagram_size = 1200;
constexpr std::size_t quic_versions_shown = 8;

std::string quic_version_name(std::uint32_t v) {
  if (v == 0x00000001) return "QUIC v1";
  if (v == 0x6b3343cf) return "QUIC v2";  // RFC 9369
  if ((v & 0xffffff00) == 0xff000000) return fmt::format("draft-{}", v & 0xff);
  char q = static_cast<char>(v >> 24);
  auto digit = [](std::uint32_t c) { return c >= '0' && c <= '9'; };
  if ((q == 'Q' || q == 'T') && digit(v >> 16 & 0xff) && digit(v >> 8 & 0xff) && digit(v & 0xff))
    return fmt::format("Google QUIC {}{}{}{}", q, static_cast<char>(v >> 16 & 0xff),
                       static_cast<char>(v >> 8 & 0xff), static_cast<char>(v & 0xff));
  return fmt::format("0x{:08x}", v);
}

// A Version Negotiation packet that answers ours, and the versions it lists.
std::optional<std::string> quic_summary(std::string_view answer) {
  byte_reader r(answer);
  auto first = r.u8();
  auto version = r.u32();
  auto dcid = r.take(r.u8());
  auto scid = r.take(r.u8());
  // 17.2.1: the server echoes our connection ids, swapped.
  if (!r.ok() || (first & 0x80) == 0 || version != 0 || dcid != quic_scid || scid != quic_dcid ||
      r.left() < 4)
    return std::nullopt;
  std::vector<std::string> names;
  while (r.left() >= 4) {
    auto v = r.u32();
    if ((v & 0x0f0f0f0f) != 0x0a0a0a0a) names.push_back(quic_version_name(v));  // not greasing
  }
  if (names.empty()) return "a QUIC server (it listed only reserved versions)";
  return "a QUIC server: versions " + listed(names, quic_versions_shown);
}

}  // namespace

std::vector<std::string> quic_requests() {
  std::string r;
  put_u8(r, 0xc0);  // long header, fixed bit, Initial
  put_u32(r, quic_probe_version);
  put_u8(r, quic_dcid.size());
  r += quic_dcid;
  put_u8(r, quic_scid.size());
  r += quic_scid;
  r.resize(quic_datagram_size, '\0');
  return {r};
}

reading quic_read(std::span<const std::string_view> answers) {
  return first_answer(answers, "QUIC", {}, quic_summary);
}

// --- WireGuard answers only a handshake initiation signed for one of its peers (the
// WireGuard paper, 5.1): the probe is a datagram of no WireGuard message type, which it drops
// unanswered, and any answer at all comes from something else.

std::vector<std::string> wireguard_requests() { return {"\r\n"}; }

reading wireguard_read(std::span<const std::string_view> answers) {
  return {fmt::format("something other than WireGuard answered ({}; WireGuard never answers "
                      "this datagram)",
                      answer_size(answers)),
          {}};
}

}  // namespace breakwater::probe::udp::detail
