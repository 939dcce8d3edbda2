// The raw-SYN prober's packets: SYNs carry a valid checksum, and answers are parsed only when
// they are whole and of the right kind.
#include "probe/raw_packet.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace breakwater::probe;
using namespace breakwater::probe::raw;
using bytes = std::vector<std::uint8_t>;

ip_bytes v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  ip_bytes r;
  r.b[0] = a;
  r.b[1] = b;
  r.b[2] = c;
  r.b[3] = d;
  return r;
}

ip_bytes v6_last(std::uint8_t last) {
  ip_bytes r;
  r.v6 = true;
  r.b[0] = 0x20;
  r.b[1] = 0x01;
  r.b[15] = last;
  return r;
}

// One's-complement sum of the pseudo-header and segment: 0xffff when the checksum is right.
std::uint32_t verify_sum(const ip_bytes& src, const ip_bytes& dst, const std::uint8_t* seg,
                         std::size_t len) {
  std::uint32_t acc = 0;
  auto add = [&acc](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i + 1 < n; i += 2)
      acc += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  };
  std::size_t alen = src.v6 ? 16 : 4;
  add(src.b.data(), alen);
  add(dst.b.data(), alen);
  acc += 6 + static_cast<std::uint32_t>(len);
  add(seg, len);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}

void put16(bytes& p, std::size_t at, std::uint16_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}

void put32(bytes& p, std::size_t at, std::uint32_t v) {
  put16(p, at, static_cast<std::uint16_t>(v >> 16));
  put16(p, at + 2, static_cast<std::uint16_t>(v));
}

bytes ipv4_header(std::uint8_t protocol, const ip_bytes& src, const ip_bytes& dst) {
  bytes h(20, 0);
  h[0] = 0x45;
  h[8] = 64;
  h[9] = protocol;
  for (std::size_t i = 0; i < 4; ++i) {
    h[12 + i] = src.b[i];
    h[16 + i] = dst.b[i];
  }
  return h;
}

bytes tcp_segment(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                  std::uint8_t flags) {
  bytes t(20, 0);
  put16(t, 0, sport);
  put16(t, 2, dport);
  put32(t, 4, seq);
  put32(t, 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  return t;
}

bytes cat(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(raw_packet, syn_has_the_fields_and_a_checksum_that_verifies) {
  for (bool six : {false, true}) {
    syn_fields f{six ? v6_last(1) : v4(198, 18, 0, 1), six ? v6_last(2) : v4(198, 18, 0, 2), 40000,
                 443, 0x12345678};
    auto s = build_syn(f);
    EXPECT_EQ(s[0] << 8 | s[1], 40000);
    EXPECT_EQ(s[2] << 8 | s[3], 443);
    EXPECT_EQ(s[4], 0x12);
    EXPECT_EQ(s[7], 0x78);
    EXPECT_EQ(s[12] >> 4, 6);  // 24 bytes with the MSS option
    EXPECT_EQ(s[13], 0x02);    // SYN only
    EXPECT_EQ(s[20], 2);       // MSS
    EXPECT_EQ(verify_sum(f.source, f.target, s.data(), s.size()), 0xffffu) << six;
  }
}

TEST(raw_packet, syn_ack_and_reset_answers_are_read_from_an_ipv4_packet) {
  ip_bytes them = v4(198, 18, 0, 2), us = v4(198, 18, 0, 1);
  auto sa = parse_tcp_v4(cat(ipv4_header(6, them, us), tcp_segment(22, 40000, 7, 1001, 0x12)));
  ASSERT_TRUE(sa);
  EXPECT_TRUE(sa->syn_ack);
  EXPECT_EQ(sa->from, them);
  EXPECT_EQ(sa->from_port, 22);
  EXPECT_EQ(sa->to_port, 40000);
  EXPECT_EQ(sa->ack, 1001u);
  auto rst = parse_tcp_v4(cat(ipv4_header(6, them, us), tcp_segment(23, 40000, 0, 1001, 0x14)));
  ASSERT_TRUE(rst);
  EXPECT_FALSE(rst->syn_ack);
}

TEST(raw_packet, segments_that_answer_no_syn_are_ignored) {
  ip_bytes them = v4(198, 18, 0, 2), us = v4(198, 18, 0, 1);
  bytes ip = ipv4_header(6, them, us);
  EXPECT_FALSE(parse_tcp_v4(cat(ip, tcp_segment(22, 40000, 7, 0, 0x02))));  // a SYN
  EXPECT_FALSE(parse_tcp_v4(cat(ip, tcp_segment(22, 40000, 7, 9, 0x10))));  // a bare ACK
  EXPECT_FALSE(parse_tcp_v4(cat(ip, tcp_segment(22, 40000, 0, 0, 0x04))));  // RST without ACK
  bytes whole = cat(ip, tcp_segment(22, 40000, 7, 1001, 0x12));
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parse_tcp_v4(std::span(whole.data(), n))) << n;  // every truncation
  }
  bytes frag = whole;
  frag[7] = 1;  // fragment offset 8 bytes: no TCP header here
  EXPECT_FALSE(parse_tcp_v4(frag));
  bytes udp = cat(ipv4_header(17, them, us), tcp_segment(22, 40000, 7, 1001, 0x12));
  EXPECT_FALSE(parse_tcp_v4(udp));
}

TEST(raw_packet, ipv6_segments_come_without_their_ip_header) {
  auto a = parse_tcp_v6(tcp_segment(80, 40000, 5, 77, 0x12), v6_last(2));
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->syn_ack);
  EXPECT_EQ(a->from, v6_last(2));
  EXPECT_EQ(a->ack, 77u);
}

TEST(raw_packet, an_icmp_unreachable_names_the_syn_it_quotes) {
  ip_bytes router = v4(198, 18, 0, 254), us = v4(198, 18, 0, 1), them = v4(198, 18, 0, 2);
  bytes icmp{3, 13, 0, 0, 0, 0, 0, 0};  // admin-prohibited
  bytes quoted = cat(ipv4_header(6, us, them), tcp_segment(40000, 135, 0xdeadbeef, 0, 0x02));
  quoted.resize(20 + 8);  // routers need quote only 8 bytes of the segment
  auto a = parse_icmp_v4(cat(cat(ipv4_header(1, router, us), icmp), quoted));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->info.type, 3);
  EXPECT_EQ(a->info.code, 13);
  EXPECT_EQ(a->target, them);
  EXPECT_EQ(a->source_port, 40000);
  EXPECT_EQ(a->target_port, 135);
  EXPECT_EQ(a->seq, 0xdeadbeefu);
  bytes whole = cat(cat(ipv4_header(1, router, us), icmp), quoted);
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parse_icmp_v4(std::span(whole.data(), n))) << n;
  }
  bytes echo_reply = whole;
  echo_reply[20] = 0;
  EXPECT_FALSE(parse_icmp_v4(echo_reply));
}

TEST(raw_packet, an_icmpv6_unreachable_names_the_syn_it_quotes) {
  bytes m{1, 4, 0, 0, 0, 0, 0, 0};  // port unreachable
  bytes ip6(40, 0);
  ip6[0] = 0x60;
  ip6[6] = 6;  // next header: TCP
  ip_bytes them = v6_last(2);
  for (std::size_t i = 0; i < 16; ++i) ip6[24 + i] = them.b[i];
  bytes seg = tcp_segment(40000, 1900, 42, 0, 0x02);
  seg.resize(8);
  bytes whole = cat(cat(m, ip6), seg);
  auto a = parse_icmp_v6(whole);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->info.type, 1);
  EXPECT_EQ(a->info.code, 4);
  EXPECT_EQ(a->target, them);
  EXPECT_EQ(a->target_port, 1900);
  EXPECT_EQ(a->seq, 42u);
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parse_icmp_v6(std::span(whole.data(), n))) << n;
  }
  whole[8 + 6] = 17;  // a UDP packet quoted: not one of our SYNs
  EXPECT_FALSE(parse_icmp_v6(whole));
}

}  // namespace
