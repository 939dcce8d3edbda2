#include "probe/wire/raw_packet.hpp"

namespace breakwater::probe::raw {
namespace {

using bytes = std::span<const std::uint8_t>;

constexpr std::uint8_t proto_tcp = 6;
constexpr std::uint8_t flag_fin = 0x01, flag_syn = 0x02, flag_rst = 0x04, flag_ack = 0x10;
constexpr std::size_t tcp_min = 20;

std::uint16_t be16(bytes p, std::size_t at) noexcept {
  return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}

std::uint32_t be32(bytes p, std::size_t at) noexcept {
  return static_cast<std::uint32_t>(p[at]) << 24 | static_cast<std::uint32_t>(p[at + 1]) << 16 |
         static_cast<std::uint32_t>(p[at + 2]) << 8 | p[at + 3];
}

void put16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) noexcept {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

// RFC 1071's one's-complement sum, in 32 bits and folded at the end.
std::uint32_t sum16(bytes p, std::uint32_t acc = 0) noexcept {
  for (std::size_t i = 0; i + 1 < p.size(); i += 2) acc += be16(p, i);
  if (p.size() % 2 != 0) acc += static_cast<std::uint32_t>(p.back()) << 8;
  return acc;
}

std::uint16_t fold(std::uint32_t acc) noexcept {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

ip_bytes v4_at(bytes p, std::size_t at) noexcept {
  ip_bytes a;
  for (std::size_t i = 0; i < 4; ++i) a.b[i] = p[at + i];
  return a;
}

ip_bytes v6_at(bytes p, std::size_t at) noexcept {
  ip_bytes a;
  a.v6 = true;
  for (std::size_t i = 0; i < 16; ++i) a.b[i] = p[at + i];
  return a;
}

// The IPv4 header's length if `p` starts with an unfragmented IPv4 packet of `protocol`.
std::optional<std::size_t> v4_header(bytes p, std::uint8_t protocol) noexcept {
  if (p.size() < 20 || p[0] >> 4 != 4) return std::nullopt;
  std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
  if (ihl < 20 || p.size() < ihl || p[9] != protocol) return std::nullopt;
  if ((be16(p, 6) & 0x1fff) != 0) return std::nullopt;  // a later fragment: no header of ours
  return ihl;
}

std::optional<tcp_answer> tcp_at(bytes seg, const ip_bytes& from) noexcept {
  if (seg.size() < tcp_min) return std::nullopt;
  std::uint8_t flags = seg[13];
  tcp_answer a;
  a.from = from;
  a.from_port = be16(seg, 0);
  a.to_port = be16(seg, 2);
  a.ack = be32(seg, 8);
  if ((flags & flag_ack) == 0) return std::nullopt;  // no answer to a SYN lacks the ACK
  if ((flags & flag_rst) != 0) {
    a.what = tcp_answer::kind::reset;
  } else if ((flags & flag_syn) != 0) {
    a.what = tcp_answer::kind::syn_ack;
  } else if ((flags & flag_fin) == 0) {
    a.what = tcp_answer::kind::ack;
  } else {
    return std::nullopt;  // a FIN: nobody answers a SYN with one
  }
  return a;
}

}  // namespace

ip_bytes to_bytes(const boost::asio::ip::address& a) noexcept {
  ip_bytes r;
  if (a.is_v6()) {
    r.v6 = true;
    r.b = a.to_v6().to_bytes();
  } else {
    auto v4 = a.to_v4().to_bytes();
    for (std::size_t i = 0; i < 4; ++i) r.b[i] = v4[i];
  }
  return r;
}

std::array<std::uint8_t, syn_size> build_syn(const syn_fields& f) noexcept {
  std::array<std::uint8_t, syn_size> s{};
  put16(&s[0], f.source_port);
  put16(&s[2], f.target_port);
  put32(&s[4], f.seq);
  s[12] = (syn_size / 4) << 4;  // data offset in 32-bit words
  s[13] = flag_syn;
  put16(&s[14], 64240);  // window: what a Linux client offers
  s[20] = 2;             // MSS option: kind 2, length 4, 1460
  s[21] = 4;
  put16(&s[22], 1460);
  // The pseudo-header: addresses, protocol and length (RFC 9293 3.1; RFC 8200 8.1 for IPv6).
  std::size_t alen = f.target.v6 ? 16 : 4;
  std::uint32_t acc = sum16(bytes(f.source.b.data(), alen));
  acc = sum16(bytes(f.target.b.data(), alen), acc);
  acc += proto_tcp + static_cast<std::uint32_t>(syn_size);
  put16(&s[16], fold(sum16(s, acc)));
  return s;
}

std::uint32_t syn_sequence(const siphash_key& key, const syn_fields& f,
                           std::uint64_t nonce) noexcept {
  // Fixed layout: both addresses as 16 bytes plus the family, the ports, the nonce.
  std::array<std::uint8_t, 16 + 16 + 1 + 2 + 2 + 8> m{};
  std::size_t at = 0;
  for (std::uint8_t b : f.source.b) m[at++] = b;
  for (std::uint8_t b : f.target.b) m[at++] = b;
  m[at++] = f.target.v6 ? 6 : 4;
  put16(&m[at], f.source_port);
  put16(&m[at + 2], f.target_port);
  put32(&m[at + 4], static_cast<std::uint32_t>(nonce >> 32));
  put32(&m[at + 8], static_cast<std::uint32_t>(nonce));
  return static_cast<std::uint32_t>(siphash24(key, m));
}

namespace {

constexpr std::uint32_t sequence_step = 0x9e3779b9;

// The inverse of an odd number modulo 2^32, by Newton's iteration (each doubles the bits
// that are right; the odd number is its own inverse modulo 8).
constexpr std::uint32_t inverse(std::uint32_t a) {
  std::uint32_t x = a;
  for (int i = 0; i < 4; ++i) x *= 2 - a * x;
  return x;
}
constexpr std::uint32_t step_inverse = inverse(sequence_step);
static_assert(sequence_step * step_inverse == 1);

}  // namespace

std::uint32_t nth_sequence(std::uint32_t first, std::uint32_t k) noexcept {
  return first + k * sequence_step;
}

std::uint32_t sequence_index(std::uint32_t first, std::uint32_t seq) noexcept {
  return (seq - first) * step_inverse;
}

bool answers(const tcp_answer& a, const syn_fields& sent) noexcept {
  return a.from == sent.target && a.from_port == sent.target_port &&
         a.to_port == sent.source_port && a.ack == sent.seq + 1 && (!a.to || *a.to == sent.source);
}

bool quotes(const icmp_answer& a, const syn_fields& sent) noexcept {
  return a.source == sent.source && a.target == sent.target && a.source_port == sent.source_port &&
         a.target_port == sent.target_port && a.seq == sent.seq;
}

std::optional<tcp_answer> parse_tcp_v4(bytes packet) noexcept {
  auto ihl = v4_header(packet, proto_tcp);
  if (!ihl) return std::nullopt;
  auto a = tcp_at(packet.subspan(*ihl), v4_at(packet, 12));
  if (a) a->to = v4_at(packet, 16);
  return a;
}

std::optional<tcp_answer> parse_tcp_v6(bytes segment, const ip_bytes& from) noexcept {
  return tcp_at(segment, from);
}

std::optional<icmp_answer> parse_icmp_v4(bytes packet) noexcept {
  constexpr std::uint8_t proto_icmp = 1, unreachable = 3;
  auto ihl = v4_header(packet, proto_icmp);
  if (!ihl) return std::nullopt;
  bytes icmp = packet.subspan(*ihl);
  if (icmp.size() < 8 || icmp[0] != unreachable) return std::nullopt;
  bytes quoted = icmp.subspan(8);
  auto inner = v4_header(quoted, proto_tcp);
  if (!inner || quoted.size() < *inner + 8) return std::nullopt;
  icmp_answer a;
  a.info = icmp_info{icmp[0], icmp[1]};
  a.source = v4_at(quoted, 12);
  a.target = v4_at(quoted, 16);
  a.source_port = be16(quoted, *inner);
  a.target_port = be16(quoted, *inner + 2);
  a.seq = be32(quoted, *inner + 4);
  return a;
}

std::optional<icmp_answer> parse_icmp_v6(bytes message) noexcept {
  constexpr std::uint8_t unreachable = 1;
  constexpr std::size_t ip6 = 40;
  if (message.size() < 8 + ip6 + 8 || message[0] != unreachable) return std::nullopt;
  bytes quoted = message.subspan(8);
  // Only a TCP header right after the fixed header: our SYNs carry no extension headers.
  if (quoted[0] >> 4 != 6 || quoted[6] != proto_tcp) return std::nullopt;
  icmp_answer a;
  a.info = icmp_info{message[0], message[1]};
  a.source = v6_at(quoted, 8);
  a.target = v6_at(quoted, 24);
  a.source_port = be16(quoted, ip6);
  a.target_port = be16(quoted, ip6 + 2);
  a.seq = be32(quoted, ip6 + 4);
  return a;
}

}  // namespace breakwater::probe::raw
