// The raw-SYN prober's packets: SYNs carry a valid checksum and an unguessable sequence
// number, answers are parsed only when they are whole and of the right kind, and count only
// when they match a SYN we sent in every field (a forged answer changes no verdict).
#include "probe/wire/raw_packet.hpp"
#include "support/packet_bytes.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <set>
#include <vector>

namespace {

using namespace breakwater::probe;
using namespace breakwater::probe::raw;
using bytes = std::vector<std::uint8_t>;
using breakwater::probe::testing::put16;
using breakwater::probe::testing::put32;
using breakwater::probe::testing::tcp_segment;

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

TEST(raw_packet, syn_ack_reset_and_bare_ack_answers_are_read_from_an_ipv4_packet) {
  ip_bytes them = v4(198, 18, 0, 2), us = v4(198, 18, 0, 1);
  auto sa = parse_tcp_v4(cat(ipv4_header(6, them, us), tcp_segment(22, 40000, 7, 1001, 0x12)));
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->what, tcp_answer::kind::syn_ack);
  EXPECT_EQ(sa->from, them);
  EXPECT_EQ(sa->from_port, 22);
  EXPECT_EQ(sa->to_port, 40000);
  EXPECT_EQ(sa->ack, 1001u);
  auto rst = parse_tcp_v4(cat(ipv4_header(6, them, us), tcp_segment(23, 40000, 0, 1001, 0x14)));
  ASSERT_TRUE(rst);
  EXPECT_EQ(rst->what, tcp_answer::kind::reset);
  // A port holding an earlier SYN half-open acknowledges it again: a bare ACK.
  auto ack = parse_tcp_v4(cat(ipv4_header(6, them, us), tcp_segment(22, 40000, 8, 999, 0x10)));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->what, tcp_answer::kind::ack);
  EXPECT_EQ(ack->ack, 999u);
  auto psh = parse_tcp_v4(cat(ipv4_header(6, them, us), tcp_segment(22, 40000, 8, 999, 0x18)));
  ASSERT_TRUE(psh);  // PSH changes nothing
  EXPECT_EQ(psh->what, tcp_answer::kind::ack);
}

TEST(raw_packet, segments_that_answer_no_syn_are_ignored) {
  ip_bytes them = v4(198, 18, 0, 2), us = v4(198, 18, 0, 1);
  bytes ip = ipv4_header(6, them, us);
  EXPECT_FALSE(parse_tcp_v4(cat(ip, tcp_segment(22, 40000, 7, 0, 0x02))));  // a SYN
  EXPECT_FALSE(parse_tcp_v4(cat(ip, tcp_segment(22, 40000, 7, 9, 0x11))));  // FIN+ACK
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
  EXPECT_EQ(a->what, tcp_answer::kind::syn_ack);
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

// SipHash-2-4's reference vectors (key 00..0f, message 00..len-1; the paper's appendix A).
TEST(keyed_hash, siphash_matches_the_reference_vectors) {
  siphash_key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  bytes m;
  EXPECT_EQ(siphash24(key, m), 0x726fdb47dd0e0e31ull);
  for (std::uint8_t i = 0; i < 15; ++i) m.push_back(i);
  EXPECT_EQ(siphash24(key, m), 0xa129ca6149be45e5ull);
}

// And OpenSSL's SipHash (8-byte output, little-endian) for every length across two blocks.
TEST(keyed_hash, siphash_agrees_with_openssl) {
  auto key = random_siphash_key();
  ASSERT_TRUE(key) << key.error().message();
  std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "SIPHASH", nullptr),
                                                        EVP_MAC_free);
  if (!mac) GTEST_SKIP() << "this OpenSSL has no SipHash";
  bytes m;
  for (std::size_t len = 0; len < 40; ++len) {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac.get()),
                                                                  EVP_MAC_CTX_free);
    std::size_t size = 8;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                           OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_MAC_init(ctx.get(), key->data(), key->size(), params), 1);
    ASSERT_EQ(EVP_MAC_update(ctx.get(), m.data(), m.size()), 1);
    std::array<std::uint8_t, 8> out{};
    std::size_t n = 0;
    ASSERT_EQ(EVP_MAC_final(ctx.get(), out.data(), &n, out.size()), 1);
    ASSERT_EQ(n, 8u);
    std::uint64_t want = 0;
    for (int i = 7; i >= 0; --i) want = want << 8 | out[static_cast<std::size_t>(i)];
    EXPECT_EQ(siphash24(*key, m), want) << len;
    m.push_back(static_cast<std::uint8_t>(len * 37 + 11));
  }
}

TEST(keyed_hash, each_process_key_is_fresh) {
  auto a = random_siphash_key(), b = random_siphash_key();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

syn_fields sample_syn(bool six = false) {
  return {six ? v6_last(1) : v4(198, 18, 0, 1), six ? v6_last(2) : v4(198, 18, 0, 2), 40000, 443,
          0};
}

// Every field of the SYN and the nonce change the number; so does the key, so a visitor who
// reads the numbers of their own scan cannot work out another scan's.
TEST(raw_packet, sequence_numbers_depend_on_every_field_and_the_key) {
  auto key = random_siphash_key(), other_key = random_siphash_key();
  ASSERT_TRUE(key && other_key);
  syn_fields f = sample_syn();
  std::uint32_t base = syn_sequence(*key, f, 0);
  EXPECT_EQ(syn_sequence(*key, f, 0), base);  // stateless: the same inputs, the same number
  f.seq = 12345;
  EXPECT_EQ(syn_sequence(*key, f, 0), base) << "the old seq is not an input";
  EXPECT_NE(syn_sequence(*other_key, f, 0), base);
  EXPECT_NE(syn_sequence(*key, f, 1), base);
  std::vector<syn_fields> variants(5, sample_syn());
  variants[0].source = v4(198, 18, 0, 3);
  variants[1].target = v4(198, 18, 0, 4);
  variants[2].source_port = 40001;
  variants[3].target_port = 444;
  variants[4] = sample_syn(true);
  for (const auto& v : variants) EXPECT_NE(syn_sequence(*key, v, 0), base);
  // Consecutive nonces for one port: no repeats in a full scan's worth of tries.
  std::set<std::uint32_t> seen;
  for (std::uint64_t n = 0; n < 70000; ++n) seen.insert(syn_sequence(*key, f, n));
  EXPECT_GT(seen.size(), 69990u);
}

// A port's tries in one scan: the prober finds an earlier try's number again by arithmetic,
// and a later try's SYN never lands in the window of one the port holds half-open (Linux would
// reset the held one and answer with a reset: an open port called closed).
TEST(raw_packet, a_ports_tries_are_numbered_far_apart_and_found_again) {
  for (std::uint32_t first : {0u, 1u, 0xfffffff0u, 0x12345678u}) {
    for (std::uint32_t k = 0; k < 5000; ++k) {
      ASSERT_EQ(sequence_index(first, nth_sequence(first, k)), k) << first;
    }
    EXPECT_EQ(nth_sequence(first, 0), first);
    EXPECT_GE(sequence_index(first, first + 1), 5000u) << "a neighbour is no early try";
  }
  for (std::uint32_t d = 1; d < 4096; ++d) {
    // How far past an earlier try's number a try d later starts (the same for every first).
    std::uint32_t ahead = nth_sequence(7, 100 + d) - nth_sequence(7, 100);
    ASSERT_GT(ahead, 1u << 20) << d;
  }
}

tcp_answer genuine_answer(const syn_fields& sent, std::uint8_t flags) {
  ip_bytes them = sent.target, us = sent.source;
  auto a =
      parse_tcp_v4(cat(ipv4_header(6, them, us),
                       tcp_segment(sent.target_port, sent.source_port, 7, sent.seq + 1, flags)));
  EXPECT_TRUE(a);
  return a.value_or(tcp_answer{});
}

TEST(raw_packet, an_answer_counts_only_if_it_acknowledges_our_exact_syn) {
  syn_fields sent = sample_syn();
  sent.seq = 0xfffffffe;
  for (int flags : {0x12, 0x14, 0x10}) {  // SYN-ACK, reset, bare ACK
    SCOPED_TRACE(flags);
    tcp_answer a = genuine_answer(sent, static_cast<std::uint8_t>(flags));
    EXPECT_TRUE(answers(a, sent));
    EXPECT_EQ(a.ack, 0xffffffffu);
    // Forgeries: each differs from a true answer in one field.
    for (std::uint32_t ack : {sent.seq, sent.seq + 2, 0u, 1u}) {
      tcp_answer f = a;
      f.ack = ack;
      EXPECT_FALSE(answers(f, sent)) << "ack " << ack;
    }
    tcp_answer f = a;
    f.from = v4(198, 18, 0, 9);
    EXPECT_FALSE(answers(f, sent)) << "from another address";
    f = a;
    f.from_port = 444;
    EXPECT_FALSE(answers(f, sent)) << "from another port";
    f = a;
    f.to_port = 40001;
    EXPECT_FALSE(answers(f, sent)) << "to another of our ports";
    f = a;
    f.to = v4(198, 18, 0, 77);
    EXPECT_FALSE(answers(f, sent)) << "to another of our addresses";
  }
  // The ack wraps: ISS 0xffffffff is answered with 0.
  sent.seq = 0xffffffff;
  EXPECT_TRUE(answers(genuine_answer(sent, 0x14), sent));
  // IPv6 answers carry no destination; the rest must still match.
  syn_fields six = sample_syn(true);
  six.seq = 99;
  auto a6 = parse_tcp_v6(tcp_segment(six.target_port, six.source_port, 1, 100, 0x14), six.target);
  ASSERT_TRUE(a6);
  EXPECT_FALSE(a6->to);
  EXPECT_TRUE(answers(*a6, six));
  a6->ack = 101;
  EXPECT_FALSE(answers(*a6, six));
}

bytes icmp_v4_quoting(const ip_bytes& quoted_source, const syn_fields& s) {
  ip_bytes router = v4(198, 18, 0, 254);
  bytes icmp{3, 3, 0, 0, 0, 0, 0, 0};
  bytes quoted = cat(ipv4_header(6, quoted_source, s.target),
                     tcp_segment(s.source_port, s.target_port, s.seq, 0, 0x02));
  return cat(cat(ipv4_header(1, router, s.source), icmp), quoted);
}

TEST(raw_packet, an_icmp_error_counts_only_if_it_quotes_our_own_syn) {
  syn_fields sent = sample_syn();
  sent.seq = 0x01020304;
  auto a = parse_icmp_v4(icmp_v4_quoting(sent.source, sent));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->source, sent.source);
  EXPECT_TRUE(quotes(*a, sent));
  // A forged error quoting a SYN from another address (a third party's own), but with our
  // ports and even our sequence number: refused.
  auto other = parse_icmp_v4(icmp_v4_quoting(v4(198, 18, 0, 66), sent));
  ASSERT_TRUE(other);
  EXPECT_FALSE(quotes(*other, sent));
  icmp_answer f = *a;
  f.seq ^= 1;
  EXPECT_FALSE(quotes(f, sent)) << "another sequence number";
  f = *a;
  f.target = v4(198, 18, 0, 3);
  EXPECT_FALSE(quotes(f, sent)) << "another target";
  f = *a;
  f.source_port = 40001;
  EXPECT_FALSE(quotes(f, sent)) << "another source port";
  f = *a;
  f.target_port = 80;
  EXPECT_FALSE(quotes(f, sent)) << "another target port";
}

TEST(raw_packet, an_icmpv6_error_counts_only_if_it_quotes_our_own_syn) {
  syn_fields sent = sample_syn(true);
  sent.seq = 42;
  auto message = [&sent](const ip_bytes& quoted_source) {
    bytes m{1, 1, 0, 0, 0, 0, 0, 0};
    bytes ip6(40, 0);
    ip6[0] = 0x60;
    ip6[6] = 6;
    for (std::size_t i = 0; i < 16; ++i) {
      ip6[8 + i] = quoted_source.b[i];
      ip6[24 + i] = sent.target.b[i];
    }
    bytes seg = tcp_segment(sent.source_port, sent.target_port, sent.seq, 0, 0x02);
    seg.resize(8);
    return cat(cat(m, ip6), seg);
  };
  auto a = parse_icmp_v6(message(sent.source));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->source, sent.source);
  EXPECT_TRUE(quotes(*a, sent));
  auto forged = parse_icmp_v6(message(v6_last(66)));
  ASSERT_TRUE(forged);
  EXPECT_FALSE(quotes(*forged, sent));
}

}  // namespace
