// The BER encoder and decoder shared by SNMP and CLDAP (X.690).
#include "probe/wire/udp/ber.hpp"

#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

TEST(udp_ber, integers_use_the_fewest_bytes) {
  EXPECT_EQ(ber::encode_integer(0), bytes({0x02, 0x01, 0x00}));
  EXPECT_EQ(ber::encode_integer(127), bytes({0x02, 0x01, 0x7f}));
  EXPECT_EQ(ber::encode_integer(128), bytes({0x02, 0x02, 0x00, 0x80}));
  EXPECT_EQ(ber::encode_integer(0x6277), bytes({0x02, 0x02, 0x62, 0x77}));
  EXPECT_EQ(ber::encode_integer(-1), bytes({0x02, 0x01, 0xff}));
  EXPECT_EQ(ber::encode_integer(-129), bytes({0x02, 0x02, 0xff, 0x7f}));
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{255},
                         std::int64_t{-256}, std::int64_t{65536}, INT64_MAX, INT64_MIN}) {
    std::string encoded = ber::encode_integer(v);  // the reader views it: keep it alive
    ber::reader r(encoded);
    auto e = r.expect(ber::integer);
    ASSERT_TRUE(e);
    EXPECT_EQ(ber::decode_integer(e->content), v);
  }
  EXPECT_FALSE(ber::decode_integer(""));
  EXPECT_FALSE(ber::decode_integer(std::string(9, '\x01')));
}

TEST(udp_ber, lengths_take_the_short_and_long_forms) {
  EXPECT_EQ(ber::tlv(0x04, std::string(127, 'x')).substr(0, 2), bytes({0x04, 0x7f}));
  EXPECT_EQ(ber::tlv(0x04, std::string(200, 'x')).substr(0, 3), bytes({0x04, 0x81, 0xc8}));
  EXPECT_EQ(ber::tlv(0x04, std::string(300, 'x')).substr(0, 4), bytes({0x04, 0x82, 0x01, 0x2c}));
  auto long_form = ber::tlv(0x04, std::string(300, 'x'));
  ber::reader r(long_form);
  auto e = r.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->content.size(), 300u);
  EXPECT_TRUE(r.at_end());
  EXPECT_TRUE(r.ok());
}

TEST(udp_ber, oids_round_trip) {
  EXPECT_EQ(ber::encode_oid("1.3.6.1.2.1.1.1.0"),
            bytes({0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00}));
  EXPECT_EQ(ber::encode_oid("1.2.840.113549"),
            bytes({0x06, 0x06, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d}));
  EXPECT_EQ(ber::decode_oid(bytes({0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d})), "1.2.840.113549");
  EXPECT_EQ(ber::decode_oid(bytes({0x88, 0x37})), "2.999");
  EXPECT_FALSE(ber::decode_oid(""));
  EXPECT_FALSE(ber::decode_oid(bytes({0x2b, 0x86})));               // the last arc never ends
  EXPECT_FALSE(ber::decode_oid(bytes({0x2b, 0x80, 0x01})));         // padded arc
  EXPECT_FALSE(ber::decode_oid(std::string(10, '\xff') + '\x01'));  // overflows 64 bits
  EXPECT_FALSE(ber::decode_oid(std::string(65, '\x01')));           // too many arcs
}

TEST(udp_ber, reader_walks_one_level_and_stops_on_bad_bytes) {
  auto seq = ber::tlv(ber::sequence, ber::encode_integer(5) + ber::encode_octets("ab"));
  auto bytes_then_tail = seq + "tail";
  ber::reader top(bytes_then_tail);
  auto s = top.expect(ber::sequence);
  ASSERT_TRUE(s);
  ber::reader inner(s->content);
  EXPECT_EQ(ber::decode_integer(inner.expect(ber::integer)->content), 5);
  EXPECT_EQ(inner.expect(ber::octet_string)->content, "ab");
  EXPECT_TRUE(inner.at_end());
  EXPECT_FALSE(inner.next());
  EXPECT_TRUE(inner.ok());
  EXPECT_EQ(top.rest(), "tail");

  auto refuses = [](std::string bad) {
    ber::reader r(bad);
    EXPECT_FALSE(r.next()) << testing::PrintToString(bad);
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.next());
  };
  refuses(bytes({0x30, 0x80, 0x00, 0x00}));                    // indefinite length
  refuses(bytes({0x1f, 0x81, 0x01, 0x00}));                    // high-tag-number form
  refuses(bytes({0x04, 0x05, 'a'}));                           // length past the end
  refuses(bytes({0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00}));  // five length bytes
  refuses(bytes({0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 'a'}));   // 4 GB
  refuses(bytes({0x04, 0x82, 0x01}));                          // length bytes cut
  refuses(bytes({0x04}));

  std::string one = ber::encode_integer(1);
  ber::reader wrong(one);
  EXPECT_FALSE(wrong.expect(ber::octet_string));
  EXPECT_FALSE(wrong.ok());
}

}  // namespace
}  // namespace breakwater::probe::udp::test
