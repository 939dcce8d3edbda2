// Echo, QOTD, chargen, TFTP and the generic probe: the requests' bytes, real answers of
// xinetd's echo and chargen and of tftpd-hpa (captured on loopback), answers built from the
// RFCs, truncated and foreign bytes.
#include "read_helpers.hpp"

namespace breakwater::probe::udp::test {
namespace {

using namespace detail;
using namespace std::literals;

// xinetd 2.3.15's internal chargen service answering a newline, captured.
const std::string xinetd_chargen = from_hex(
    "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
    "4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60"
    "61626364656667680d0a22232425262728292a2b2c2d2e2f3031323334353637"
    "38393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657"
    "58595a5b5c5d5e5f606162636465666768690d0a232425262728292a2b2c2d2e"
    "2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e"
    "4f505152535455565758595a5b5c5d5e5f606162636465666768696a0d0a2425"
    "262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445"
    "464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465"
    "666768696a6b0d0a25262728292a2b2c2d2e2f303132333435363738393a3b3c"
    "3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c"
    "5d5e5f606162636465666768696a6b6c0d0a262728292a2b2c2d2e2f30313233"
    "3435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50515253"
    "5455565758595a5b5c5d5e5f606162636465666768696a6b6c6d0d0a2728292a"
    "2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a"
    "4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a"
    "6b6c6d6e0d0a28292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041"
    "42434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061"
    "62636465666768696a6b6c6d6e6f0d0a292a2b2c2d2e2f303132333435363738"
    "393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758"
    "595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f700d0a2a2b2c2d2e2f"
    "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"
    "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f"
    "70710d0a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40414243444546"
    "4748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263646566"
    "6768696a6b6c6d6e6f7071720d0a2c2d2e2f303132333435363738393a3b3c3d"
    "3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d"
    "5e5f606162636465666768696a6b6c6d6e6f707172730d0a2d2e2f3031323334"
    "35363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354"
    "55565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374"
    "0d0a2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b"
    "4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768690d0a");

// --- Echo

TEST(udp_echo, request_is_a_short_line) {
  auto r = echo_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "breakwater echo test\r\n");
}

TEST(udp_echo, the_same_bytes_back_are_an_echo_service) {
  // xinetd's echo sent back exactly the 22 bytes it got.
  auto r = read_one(echo_read, "breakwater echo test\r\n");
  EXPECT_EQ(r.summary, "the datagram came back unchanged: an echo service");
  EXPECT_EQ(r.finding, "echo-reflector");
  r = read_answers(echo_read, {"noise", "breakwater echo test\r\n"});
  EXPECT_EQ(r.finding, "echo-reflector");
}

TEST(udp_echo, other_bytes_are_not) {
  auto r = read_one(echo_read, "breakwater echo test\r");
  EXPECT_EQ(r.summary, "an answer that is not the datagram sent (21 bytes)");
  EXPECT_TRUE(r.finding.empty());
}

// --- QOTD

TEST(udp_qotd, any_text_is_a_quote) {
  ASSERT_EQ(qotd_requests(), std::vector<std::string>{"\n"});
  auto r = read_one(qotd_read, "\"Fortune favours the bold.\"\r\n\tVirgil caf\xc3\xa9\r\n");
  EXPECT_EQ(r.summary,
            "a quote: \"\"Fortune favours the bold.\"\\r\\n\\tVirgil caf\\xc3\\xa9\\r\\n\"");
  EXPECT_EQ(r.finding, "qotd-reflector");
}

TEST(udp_qotd, binary_is_not_text) {
  auto r = read_one(qotd_read, "\x00\x01\x02"sv);
  EXPECT_EQ(r.summary, "an answer that is not text (3 bytes)");
  EXPECT_TRUE(r.finding.empty());
  EXPECT_TRUE(read_one(qotd_read, "").finding.empty());
}

// --- Chargen

TEST(udp_chargen, reads_xinetd) {
  ASSERT_EQ(chargen_requests(), std::vector<std::string>{"\n"});
  ASSERT_EQ(xinetd_chargen.size(), 1024u);
  auto r = read_one(chargen_read, xinetd_chargen);
  EXPECT_EQ(r.summary,
            "1024 bytes of characters for a 1-byte request: "
            "\"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGH...\"");
  EXPECT_EQ(r.finding, "chargen-reflector");
  r = read_answers(chargen_read, {xinetd_chargen, xinetd_chargen});
  EXPECT_TRUE(r.summary.starts_with("2048 bytes of characters")) << r.summary;
}

TEST(udp_chargen, binary_is_not_chargen) {
  auto r = read_one(chargen_read, "\x1b[0m"sv);
  EXPECT_EQ(r.summary, "an answer that is not text (4 bytes)");
  EXPECT_TRUE(r.finding.empty());
}

// --- TFTP

TEST(udp_tftp, request_reads_an_absent_file_in_octet_mode) {
  auto r = tftp_requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0],
            "\x00\x01"
            "breakwater-probe-absent\x00"
            "octet\x00"sv);
}

TEST(udp_tftp, reads_tftpd_hpa_file_not_found) {
  // tftpd-hpa 5.2, captured (it answered from a port of its own, as RFC 1350 4 has it).
  auto r = read_one(tftp_read, from_hex("0005000146696c65206e6f7420666f756e6400"));
  EXPECT_EQ(r.summary, "TFTP error 1 (file not found): \"File not found\"");
  EXPECT_EQ(r.finding, "tftp-exposed");
}

TEST(udp_tftp, reads_data_option_acks_and_other_errors) {
  EXPECT_EQ(read_one(tftp_read, from_hex("0003 0001") + "0123456789").summary,
            "TFTP sent data (block 1, 10 bytes)");
  EXPECT_EQ(read_one(tftp_read, from_hex("0006") + "blksize\0"s + "512\0"s).summary,
            "TFTP option acknowledgement");
  EXPECT_EQ(read_one(tftp_read, from_hex("0005 0008")).summary,
            "TFTP error 8 (option negotiation refused)");
  EXPECT_EQ(read_one(tftp_read, from_hex("0005 0063") + "no nul").summary,
            "TFTP error 99 (unknown error): \"no nul\"");
  EXPECT_EQ(read_one(tftp_read, from_hex("0005 0002") + "\0tail"s).summary,
            "TFTP error 2 (access violation)");
}

TEST(udp_tftp, refuses_requests_and_truncation) {
  EXPECT_TRUE(read_one(tftp_read, tftp_requests()[0]).finding.empty());  // an echo
  EXPECT_TRUE(read_one(tftp_read, from_hex("0005 00")).finding.empty());
  EXPECT_TRUE(read_one(tftp_read, from_hex("0003")).finding.empty());
  EXPECT_EQ(read_one(tftp_read, "\x05"sv).summary, "an answer that is not TFTP (1 bytes)");
}

// --- Generic

TEST(udp_generic, sends_a_line_end_and_counts_bytes) {
  ASSERT_EQ(generic_requests(), std::vector<std::string>{"\r\n"});
  auto r = read_one(generic_read, "hello");
  EXPECT_EQ(r.summary, "an answer of 5 bytes");
  EXPECT_TRUE(r.finding.empty());
  EXPECT_EQ(read_answers(generic_read, {"ab", "cde"}).summary, "2 answers, 5 bytes in all");
  EXPECT_EQ(read_one(generic_read, "").summary, "an answer of 0 bytes");
}

TEST(udp_generic, unknown_ports_get_the_generic_probe) {
  EXPECT_EQ(protocol_for(12345).name, "generic");
  EXPECT_EQ(protocol_for(12345).requests(), generic_requests());
}

}  // namespace
}  // namespace breakwater::probe::udp::test
