// Ping's packets: a request carries the run's identifier, sequence number and cookie, and an
// echo reply or an ICMP error counts only if it carries them back (a forged one, with any of
// them wrong, changes nothing).
#include "probe/wire/echo_packet.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace breakwater::probe;
using bytes = std::vector<std::uint8_t>;

echo::run_fields sample_run(bool v6 = false) {
  echo::run_fields r;
  r.v6 = v6;
  r.id = 0xbeef;
  r.first_seq = 0xfffe;  // the run's numbers wrap: 0xfffe, 0xffff, 0
  for (std::size_t i = 0; i < r.data.size(); ++i) r.data[i] = static_cast<std::uint8_t>(i * 7);
  return r;
}

// The reply a well-behaved host sends to request `index`: the request with its type changed.
bytes reply_to(const echo::run_fields& run, std::uint16_t index) {
  bytes m = echo::build_request(run, index);
  m[0] = run.v6 ? 129 : 0;
  return m;
}

TEST(echo_packet, a_request_carries_the_run_fields_and_a_checksum) {
  auto run = sample_run();
  bytes m = echo::build_request(run, 2);
  ASSERT_EQ(m.size(), 8 + echo::cookie_size);
  EXPECT_EQ(m[0], 8);
  EXPECT_EQ(m[4] << 8 | m[5], 0xbeef);
  EXPECT_EQ(m[6] << 8 | m[7], 0);  // 0xfffe + 2, wrapped
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < m.size(); i += 2)
    sum += static_cast<std::uint32_t>(m[i] << 8 | m[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  EXPECT_EQ(sum, 0xffffu);
  EXPECT_EQ(echo::build_request(sample_run(true), 0)[0], 128);
}

TEST(echo_packet, a_true_reply_names_its_request) {
  for (bool v6 : {false, true}) {
    auto run = sample_run(v6);
    for (std::uint16_t i = 0; i < 3; ++i) {
      bytes m = reply_to(run, i);
      auto r = echo::parse_reply(m, v6);
      ASSERT_TRUE(r);
      EXPECT_EQ(echo::answered_index(*r, run, 3, true), i);
    }
  }
}

TEST(echo_packet, a_forged_reply_is_refused) {
  auto run = sample_run();
  bytes good = reply_to(run, 0);
  auto check = [&run](const bytes& m, bool check_id) {
    auto r = echo::parse_reply(m, false);
    return r ? echo::answered_index(*r, run, 2, check_id) : std::nullopt;
  };
  bytes m = good;
  m[5] ^= 1;  // another identifier
  EXPECT_FALSE(check(m, true));
  EXPECT_TRUE(check(m, false)) << "a ping socket's kernel chose the identifier";
  m = good;
  m[7] = 5;  // a sequence number never sent (first_seq + 7)
  EXPECT_FALSE(check(m, false));
  m = reply_to(run, 2);  // the third request was not sent (yet)
  EXPECT_FALSE(check(m, false));
  m = good;
  m.back() ^= 0x80;  // the cookie, wrong in one bit
  EXPECT_FALSE(check(m, false));
  m = good;
  m.resize(8 + echo::cookie_size - 1);  // the cookie cut short
  EXPECT_FALSE(check(m, false));
  m = good;
  m[0] = 8;  // a request, not a reply
  EXPECT_FALSE(check(m, false));
  m = good;
  m[1] = 1;  // a reply with a code: not a reply
  EXPECT_FALSE(check(m, false));
  for (std::size_t n = 0; n < 8; ++n) EXPECT_FALSE(echo::parse_reply({good.data(), n}, false));
}

bytes unreachable_quoting(const echo::run_fields& run, std::uint8_t target_last,
                          std::uint16_t index) {
  bytes m{3, 1, 0, 0, 0, 0, 0, 0};
  bytes ip{0x45, 0, 0, 52, 0, 0, 0, 0, 64, 1, 0, 0, 198, 18, 0, 1, 198, 18, 0, target_last};
  m.insert(m.end(), ip.begin(), ip.end());
  bytes request = echo::build_request(run, index);
  m.insert(m.end(), request.begin(), request.begin() + 8);  // routers quote 8 bytes
  return m;
}

raw::ip_bytes target_v4() {
  raw::ip_bytes t;
  t.b[0] = 198;
  t.b[1] = 18;
  t.b[2] = 0;
  t.b[3] = 2;
  return t;
}

TEST(echo_packet, an_icmp_error_counts_only_if_it_quotes_our_request_to_the_target) {
  auto run = sample_run();
  auto q = echo::parse_unreachable(unreachable_quoting(run, 2, 1), false);
  ASSERT_TRUE(q);
  EXPECT_EQ(echo::quoted_index(*q, target_v4(), run, 3, true), 1);
  // Quoting a request to another address, with our fields: not about our target.
  auto other = echo::parse_unreachable(unreachable_quoting(run, 9, 1), false);
  ASSERT_TRUE(other);
  EXPECT_FALSE(echo::quoted_index(*other, target_v4(), run, 3, true));
  // Another identifier, or a sequence number never sent.
  auto forged = run;
  forged.id ^= 1;
  auto q2 = echo::parse_unreachable(unreachable_quoting(forged, 2, 1), false);
  ASSERT_TRUE(q2);
  EXPECT_FALSE(echo::quoted_index(*q2, target_v4(), run, 3, true));
  EXPECT_EQ(echo::quoted_index(*q2, target_v4(), run, 3, false), 1) << "ping socket";
  auto q3 = echo::parse_unreachable(unreachable_quoting(run, 2, 7), false);
  ASSERT_TRUE(q3);
  EXPECT_FALSE(echo::quoted_index(*q3, target_v4(), run, 3, true));
  // Every truncation is refused; so is a quoted packet that is not ICMP.
  bytes whole = unreachable_quoting(run, 2, 0);
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(echo::parse_unreachable({whole.data(), n}, false)) << n;
  }
  whole[8 + 9] = 17;
  EXPECT_FALSE(echo::parse_unreachable(whole, false));
}

TEST(echo_packet, an_icmpv6_error_quotes_the_ipv6_target) {
  auto run = sample_run(true);
  bytes m{1, 3, 0, 0, 0, 0, 0, 0};
  bytes ip6(40, 0);
  ip6[0] = 0x60;
  ip6[6] = 58;  // next header: ICMPv6
  ip6[24] = 0x20;
  ip6[25] = 0x01;
  ip6[39] = 2;
  m.insert(m.end(), ip6.begin(), ip6.end());
  bytes request = echo::build_request(run, 0);
  m.insert(m.end(), request.begin(), request.end());
  auto q = echo::parse_unreachable(m, true);
  ASSERT_TRUE(q);
  raw::ip_bytes target;
  target.v6 = true;
  target.b[0] = 0x20;
  target.b[1] = 0x01;
  target.b[15] = 2;
  EXPECT_EQ(echo::quoted_index(*q, target, run, 1, true), 0);
  target.b[15] = 3;
  EXPECT_FALSE(echo::quoted_index(*q, target, run, 1, true));
}

// What a ping socket's error queue returns: the request from its own header on.
TEST(echo_packet, a_queued_request_is_read_back) {
  auto run = sample_run();
  bytes request = echo::build_request(run, 1);
  auto r = echo::parse_request(request, false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seq, 0xffff);
  EXPECT_FALSE(echo::parse_request(reply_to(run, 1), false));
}

}  // namespace
