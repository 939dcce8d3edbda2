// NTP: the time request and the mode 7 monlist request, and the reader on chrony's answer and
// on mode 7 answers built from ntpd's request/response header (ntp_request.h).
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// chronyd 4.3 with "local stratum 10": version 4, mode 4, reference 127.127.1.1 (local clock).
const std::string chrony_answer =
    bytes({0x24, 0x0a, 0x00, 0xe6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
           0x7f, 0x7f, 0x01, 0x01, 0xee, 0xbd, 0xa4, 0x4c, 0x0b, 0x1e, 0x14, 0x34,
           0xe8, 0x00, 0x00, 0x00, 0x62, 0x77, 0x00, 0x00, 0xee, 0xbd, 0xa4, 0x4e,
           0x02, 0x6f, 0xc0, 0x07, 0xee, 0xbd, 0xa4, 0x4e, 0x02, 0x86, 0x01, 0x90});

std::string server_answer(int stratum, std::string_view reference) {
  auto d = chrony_answer;
  d[1] = static_cast<char>(stratum);
  d.replace(12, 4, reference);
  return d;
}

// A mode 7 response to MON_GETLIST_1: R (and M when more follow), version 2, sequence, ntpd,
// request 42, error and item count, item size 72 (struct info_monitor_1), the items.
std::string monlist_answer(bool more, int sequence, int items, int error = 0) {
  auto d = bytes({0x80 | (more ? 0x40 : 0) | 0x17, sequence, 3, 42, error << 4 | items >> 8,
                  items & 0xff, 0, error == 0 ? 72 : 0});
  d += std::string(static_cast<std::size_t>(items) * 72, '\x01');
  return d;
}

TEST(udp_ntp, requests_are_a_time_request_and_a_monlist_request) {
  auto r = ntp_requests();
  ASSERT_EQ(r.size(), 2u);
  ASSERT_EQ(r[0].size(), 48u);
  EXPECT_EQ(r[0][0], '\x23');  // LI 0, version 4, mode 3
  EXPECT_EQ(r[0].substr(1, 39), std::string(39, '\0'));
  EXPECT_NE(r[0].substr(40), std::string(8, '\0'));  // a transmit timestamp
  EXPECT_EQ(r[1], bytes({0x17, 0x00, 0x03, 0x2a, 0x00, 0x00, 0x00, 0x00}));
}

TEST(udp_ntp, reads_chrony) {
  auto r = read_one(ntp_read, chrony_answer);
  EXPECT_EQ(r.finding, "");
  EXPECT_EQ(r.summary, "an NTP server (version 4), stratum 10, reference ID 127.127.1.1");
}

TEST(udp_ntp, reads_stratum_one_kiss_and_unsynchronised) {
  EXPECT_EQ(read_one(ntp_read, server_answer(1, "GPS\0"sv)).summary,
            "an NTP server (version 4), stratum 1, reference ID GPS");
  EXPECT_EQ(read_one(ntp_read, server_answer(0, "RATE")).summary,
            "an NTP server (version 4) refusing us with kiss code RATE");
  EXPECT_EQ(read_one(ntp_read, server_answer(16, bytes({0, 0, 0, 0}))).summary,
            "an NTP server (version 4), stratum 16 (not synchronised)");
}

TEST(udp_ntp, monlist_answers_are_counted) {
  auto first = monlist_answer(true, 0, 6), last = monlist_answer(false, 1, 2);
  std::string_view answers[] = {chrony_answer, first, last};
  auto r = ntp_read(answers);
  EXPECT_EQ(r.finding, "ntp-monlist");
  EXPECT_EQ(r.summary,
            "an NTP server (version 4), stratum 10, reference ID 127.127.1.1; monlist answered "
            "with 8 entries in 2 datagrams");
  auto alone = read_one(ntp_read, monlist_answer(false, 0, 1));
  EXPECT_EQ(alone.finding, "ntp-monlist");
  EXPECT_EQ(alone.summary, "an NTP server; monlist answered with 1 entry in 1 datagram");
}

TEST(udp_ntp, a_mode_7_error_is_no_finding) {
  auto r = read_one(ntp_read, monlist_answer(false, 0, 0, 7));
  EXPECT_EQ(r.finding, "");
  EXPECT_EQ(r.summary,
            "an NTP server; mode 7 answered monlist with authentication required (code 7)");
}

TEST(udp_ntp, what_is_not_ntp) {
  EXPECT_EQ(read_one(ntp_read, ntp_requests()[0]).summary, "an answer that is not NTP (48 bytes)");
  EXPECT_EQ(read_one(ntp_read, ntp_requests()[1]).summary, "an answer that is not NTP (8 bytes)");
  EXPECT_EQ(read_one(ntp_read, std::string_view(chrony_answer).substr(0, 47)).summary,
            "an answer that is not NTP (47 bytes)");
  auto version_0 = chrony_answer;
  version_0[0] = 0x04;
  EXPECT_EQ(read_one(ntp_read, version_0).summary, "an answer that is not NTP (48 bytes)");
  auto other_request = monlist_answer(false, 0, 1);
  other_request[3] = 1;  // REQ_PEER_LIST: not our question
  EXPECT_EQ(read_one(ntp_read, other_request).finding, "");
}

TEST(udp_ntp, survives_truncation_and_garbage) {
  survives_prefixes_and_garbage(ntp_read, chrony_answer);
  survives_prefixes_and_garbage(ntp_read, monlist_answer(true, 0, 2));
}

}  // namespace
}  // namespace breakwater::probe::udp::test
