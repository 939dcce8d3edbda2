// The reach test's shared words (the message, finding the nonce) and the packet parser and
// BPF filter of `reach --watch`, on packets built here byte by byte.
#include "probe/wire/reach_packet.hpp"
#include "probe/reach.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace breakwater::probe {
namespace {

using bytes = std::vector<std::uint8_t>;
constexpr std::string_view nonce = "0123456789abcdef0123456789abcdef";

bytes text_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

void put16(bytes& b, std::size_t at, unsigned v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

// UDP or TCP header + payload.
bytes transport(reach_transport t, unsigned src, unsigned dst, const bytes& payload,
                unsigned tcp_options = 0) {
  bytes h(t == reach_transport::udp ? 8 : 20 + tcp_options, 0);
  put16(h, 0, src);
  put16(h, 2, dst);
  if (t == reach_transport::udp) {
    put16(h, 4, static_cast<unsigned>(8 + payload.size()));
  } else {
    h[12] = static_cast<std::uint8_t>(((20 + tcp_options) / 4) << 4);
  }
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

bytes ipv4(std::uint8_t proto, const bytes& body, unsigned ihl_words = 5) {
  bytes p(ihl_words * 4, 0);
  p[0] = static_cast<std::uint8_t>(0x40 | ihl_words);
  put16(p, 2, static_cast<unsigned>(p.size() + body.size()));
  p[8] = 64;
  p[9] = proto;
  p[12] = 198, p[13] = 18, p[14] = 0, p[15] = 1;  // from 198.18.0.1
  p[16] = 192, p[17] = 168, p[18] = 1, p[19] = 2;
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

bytes ipv6(std::uint8_t next, const bytes& body) {
  bytes p(40, 0);
  p[0] = 0x60;
  put16(p, 4, static_cast<unsigned>(body.size()));
  p[6] = next;
  p[7] = 64;
  p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;  // from 2001:db8::1
  p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

std::string payload_text(const reach_wire::packet_view& v) {
  return std::string(v.payload.begin(), v.payload.end());
}

TEST(reach_message, carries_the_id_and_the_nonce_and_is_found_again) {
  std::string m = reach_message("AbC-_1", nonce);
  EXPECT_EQ(m, "breakwater-reach AbC-_1 0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(find_reach_nonce(m, "AbC-_1"), std::string(nonce));
  // Inside other bytes (an HTTP server's log line, a TCP stream), still found.
  EXPECT_EQ(find_reach_nonce("GET / x\r\n" + m, "AbC-_1"), std::string(nonce));
  // Another test's message, a cut nonce, a longer hex run, capitals: not ours.
  EXPECT_FALSE(find_reach_nonce(m, "AbC-_2"));
  EXPECT_FALSE(find_reach_nonce(m, "AbC-_"));
  EXPECT_FALSE(find_reach_nonce(m.substr(0, m.size() - 5), "AbC-_1"));
  EXPECT_FALSE(find_reach_nonce("breakwater-reach X " + std::string(nonce) + "0", "X"));
  EXPECT_FALSE(find_reach_nonce("breakwater-reach X 0123456789ABCDEF0123456789abcdef", "X"));
  EXPECT_FALSE(find_reach_nonce(m, ""));
  // A decoy before the real one does not hide it.
  EXPECT_EQ(find_reach_nonce("breakwater-reach X zz breakwater-reach X " + std::string(nonce), "X"),
            std::string(nonce));
  EXPECT_TRUE(is_reach_nonce(nonce));
  EXPECT_FALSE(is_reach_nonce(nonce.substr(1)));
}

TEST(reach_message, transports_and_deliveries_have_names) {
  EXPECT_EQ(parse_reach_transport("udp"), reach_transport::udp);
  EXPECT_EQ(parse_reach_transport("tcp"), reach_transport::tcp);
  EXPECT_FALSE(parse_reach_transport("UDP"));
  EXPECT_EQ(to_string(reach_delivery::no_answer), "no_answer");
  reach_send_options o;
  EXPECT_EQ(o.cost(reach_transport::udp), o.udp_schedule.size());
  EXPECT_EQ(o.cost(reach_transport::tcp), o.tcp_tries);
}

TEST(reach_packet, reads_ipv4_udp_and_tcp) {
  bytes msg = text_bytes(reach_message("id", nonce));
  // The views point into the packet: it must outlive them.
  bytes udp_packet = ipv4(17, transport(reach_transport::udp, 40000, 51820, msg));
  auto u = reach_wire::parse_packet(udp_packet);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->v6);
  EXPECT_EQ(u->transport, reach_transport::udp);
  EXPECT_EQ(u->source_port, 40000);
  EXPECT_EQ(u->destination_port, 51820);
  EXPECT_EQ(reach_wire::address_text(u->source, false), "198.18.0.1");
  EXPECT_EQ(reach_wire::address_text(u->destination, false), "192.168.1.2");
  EXPECT_EQ(payload_text(*u), reach_message("id", nonce));
  // TCP with 12 bytes of options and an IPv4 header with options: both skipped.
  bytes tcp_packet = ipv4(6, transport(reach_transport::tcp, 40000, 8080, msg, 12), 7);
  auto t = reach_wire::parse_packet(tcp_packet);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->transport, reach_transport::tcp);
  EXPECT_EQ(t->destination_port, 8080);
  EXPECT_EQ(find_reach_nonce(t->payload, "id"), std::string(nonce));
}

TEST(reach_packet, reads_ipv6_through_extension_headers) {
  bytes msg = text_bytes("hello");
  bytes udp = transport(reach_transport::udp, 1, 51820, msg);
  bytes plain_packet = ipv6(17, udp);
  auto plain = reach_wire::parse_packet(plain_packet);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->v6);
  EXPECT_EQ(reach_wire::address_text(plain->source, true), "2001:db8::1");
  EXPECT_EQ(payload_text(*plain), "hello");
  // Hop-by-hop (8 bytes), then a first fragment (offset 0, more to come), then UDP.
  bytes ext = {44, 0, 1, 4, 0, 0, 0, 0};   // hop-by-hop: next = fragment, length 0 (8 bytes)
  bytes frag = {17, 0, 0, 1, 0, 0, 0, 7};  // fragment: offset 0, M = 1
  bytes body = ext;
  body.insert(body.end(), frag.begin(), frag.end());
  body.insert(body.end(), udp.begin(), udp.end());
  bytes walked_packet = ipv6(0, body);
  auto walked = reach_wire::parse_packet(walked_packet);
  ASSERT_TRUE(walked);
  EXPECT_EQ(walked->destination_port, 51820);
  EXPECT_EQ(payload_text(*walked), "hello");
  // A later fragment has no UDP header.
  bytes later = {17, 0, 0x05, 0x01, 0, 0, 0, 7};
  later.insert(later.end(), udp.begin(), udp.end());
  EXPECT_FALSE(reach_wire::parse_packet(ipv6(44, later)));
}

TEST(reach_packet, refuses_what_does_not_fit) {
  bytes msg = text_bytes("payload");
  bytes good = ipv4(17, transport(reach_transport::udp, 1, 2, msg));
  for (std::size_t n = 0; n < 28; ++n) {
    EXPECT_FALSE(reach_wire::parse_packet(std::span(good.data(), n))) << n;
  }
  // Truncated inside the payload: what is there is the payload.
  auto cut = reach_wire::parse_packet(std::span(good.data(), good.size() - 3));
  ASSERT_TRUE(cut);
  EXPECT_EQ(payload_text(*cut), "payl");
  bytes bad_ihl = good;
  bad_ihl[0] = 0x44;  // 16 bytes: less than the minimum
  EXPECT_FALSE(reach_wire::parse_packet(bad_ihl));
  bytes huge_ihl = ipv4(17, {}, 15);  // 60 bytes of header and nothing after
  EXPECT_FALSE(reach_wire::parse_packet(huge_ihl));
  bytes fragment = good;
  put16(fragment, 6, 0x0010);  // offset 16
  EXPECT_FALSE(reach_wire::parse_packet(fragment));
  bytes short_udp = good;
  put16(short_udp, 20 + 4, 4);  // a UDP length below its own header
  EXPECT_FALSE(reach_wire::parse_packet(short_udp));
  bytes tcp = ipv4(6, transport(reach_transport::tcp, 1, 2, msg));
  tcp[20 + 12] = 0xf0;  // data offset 60 bytes: beyond the packet
  EXPECT_FALSE(reach_wire::parse_packet(tcp));
  EXPECT_FALSE(reach_wire::parse_packet(ipv4(1, msg)));  // ICMP
  EXPECT_FALSE(reach_wire::parse_packet(text_bytes("\x50 not ip")));
  bytes loop(40 + 8 * 9, 0);  // nine hop-by-hop headers: more than we walk
  loop[0] = 0x60;
  put16(loop, 4, 8 * 9);
  EXPECT_FALSE(reach_wire::parse_packet(loop));
}

// A classic BPF machine for the instructions port_filter uses (linux/filter.h semantics),
// enough to run the filter on the packets above.
std::uint32_t run_filter(const std::vector<reach_wire::bpf_instruction>& prog, const bytes& p) {
  std::uint32_t a = 0, x = 0;
  auto byte = [&](std::size_t at) -> std::optional<std::uint32_t> {
    if (at >= p.size()) return std::nullopt;
    return p[at];
  };
  auto half = [&](std::size_t at) -> std::optional<std::uint32_t> {
    if (at + 1 >= p.size()) return std::nullopt;
    return static_cast<std::uint32_t>(p[at] << 8 | p[at + 1]);
  };
  for (std::size_t pc = 0; pc < prog.size(); ++pc) {
    const auto& i = prog[pc];
    std::optional<std::uint32_t> v;
    switch (i.code) {
      case 0x30:
        v = byte(i.k);
        if (!v) return 0;
        a = *v;
        break;  // ldb [k]
      case 0x28:
        v = half(i.k);
        if (!v) return 0;
        a = *v;
        break;  // ldh [k]
      case 0x48:
        v = half(x + i.k);
        if (!v) return 0;
        a = *v;
        break;  // ldh [x + k]
      case 0xb1:
        v = byte(i.k);
        if (!v) return 0;
        x = (*v & 0xf) * 4;
        break;                                               // ldxb msh
      case 0x54: a &= i.k; break;                            // and #k
      case 0x15: pc += a == i.k ? i.jt : i.jf; break;        // jeq #k
      case 0x45: pc += (a & i.k) != 0 ? i.jt : i.jf; break;  // jset #k
      case 0x06: return i.k;                                 // ret #k
      default: ADD_FAILURE() << "opcode " << i.code; return 0;
    }
  }
  ADD_FAILURE() << "the program ran off its end";
  return 0;
}

TEST(reach_filter, passes_only_the_watched_port_and_transport) {
  auto udp = reach_wire::port_filter(reach_transport::udp, 51820);
  auto tcp = reach_wire::port_filter(reach_transport::tcp, 8080);
  bytes msg = text_bytes("x");
  bytes v4_udp = ipv4(17, transport(reach_transport::udp, 1, 51820, msg));
  bytes v4_opts = ipv4(17, transport(reach_transport::udp, 1, 51820, msg), 6);
  bytes v4_other = ipv4(17, transport(reach_transport::udp, 51820, 53, msg));
  bytes v4_tcp = ipv4(6, transport(reach_transport::tcp, 1, 8080, msg));
  bytes v6_udp = ipv6(17, transport(reach_transport::udp, 1, 51820, msg));
  bytes v6_tcp = ipv6(6, transport(reach_transport::tcp, 1, 8080, msg));
  bytes v4_later = v4_udp;
  put16(v4_later, 6, 0x0002);
  EXPECT_NE(run_filter(udp, v4_udp), 0u);
  EXPECT_NE(run_filter(udp, v4_opts), 0u);
  EXPECT_NE(run_filter(udp, v6_udp), 0u);
  EXPECT_EQ(run_filter(udp, v4_other), 0u);  // the port as source only
  EXPECT_EQ(run_filter(udp, v4_tcp), 0u);
  EXPECT_EQ(run_filter(udp, v4_later), 0u);
  EXPECT_EQ(run_filter(udp, text_bytes("\x50 nonsense")), 0u);
  EXPECT_NE(run_filter(tcp, v4_tcp), 0u);
  EXPECT_NE(run_filter(tcp, v6_tcp), 0u);
  EXPECT_EQ(run_filter(tcp, v6_udp), 0u);
  EXPECT_EQ(run_filter(tcp, v4_udp), 0u);
}

}  // namespace
}  // namespace breakwater::probe
