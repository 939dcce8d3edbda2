// memcached over UDP: the framed "version" command, and the reader on memcached 1.6's answer.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// memcached 1.6.18 -U 11311.
const std::string memcached_answer =
    bytes({0x62, 0x77, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x56, 0x45, 0x52, 0x53,
           0x49, 0x4f, 0x4e, 0x20, 0x31, 0x2e, 0x36, 0x2e, 0x31, 0x38, 0x0d, 0x0a});

TEST(udp_memcached, request_is_version_in_a_udp_frame) {
  auto r = memcached_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], bytes({0x62, 0x77, 0, 0, 0, 1, 0, 0}) + "version\r\n");
}

TEST(udp_memcached, reads_the_version) {
  auto r = read_one(memcached_read, memcached_answer);
  EXPECT_EQ(r.finding, "memcached-udp");
  EXPECT_EQ(r.summary, "memcached 1.6.18");
}

TEST(udp_memcached, an_error_line_is_still_memcached) {
  auto r = read_one(memcached_read, bytes({0x62, 0x77, 0, 0, 0, 1, 0, 0}) + "ERROR\r\n");
  EXPECT_EQ(r.finding, "memcached-udp");
  EXPECT_EQ(r.summary, "memcached answering \"ERROR\"");
}

TEST(udp_memcached, what_is_not_memcached) {
  EXPECT_EQ(read_one(memcached_read, "VERSION 1.6.18\r\n").summary,
            "an answer that is not memcached (16 bytes)");
  auto other_id = memcached_answer;
  other_id[1] = 0x00;
  EXPECT_EQ(read_one(memcached_read, other_id).finding, "");
  auto later_datagram = memcached_answer;
  later_datagram[3] = 0x01;  // sequence 1: not where the reply starts
  EXPECT_EQ(read_one(memcached_read, later_datagram).finding, "");
  EXPECT_EQ(read_one(memcached_read, bytes({0x62, 0x77, 0, 0, 0, 1, 0, 0}) + "hello").finding, "");
}

TEST(udp_memcached, survives_truncation_and_garbage) {
  survives_prefixes_and_garbage(memcached_read, memcached_answer);
}

}  // namespace
}  // namespace breakwater::probe::udp::test
