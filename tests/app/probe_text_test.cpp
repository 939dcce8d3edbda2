// The text report of `breakwater probe`: groups with ports, each with its count, and no
// heading for a group that has none; a section with nothing decided says so in one line.
#include "app/probe_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace breakwater::app {
namespace {

using namespace breakwater::probe;
using namespace std::chrono_literals;

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

port_result tcp(std::uint16_t port, port_state state, reason why) {
  port_result p;
  p.port = port;
  p.state = state;
  p.why = why;
  p.tries = 1;
  return p;
}

port_result udp(std::uint16_t port, port_state state, std::optional<icmp_info> icmp = {}) {
  port_result p;
  p.port = port;
  p.state = state;
  p.proto = transport::udp;
  p.why = icmp ? reason::icmp_unreachable : reason::no_response;
  p.icmp = icmp;
  return p;
}

scan_result target() {
  scan_result r;
  r.target = boost::asio::ip::make_address("198.18.0.2");
  r.elapsed = 1500ms;
  return r;
}

TEST(probe_text, tcp_report_omits_empty_groups) {
  scan_result r = target();
  r.ports = {tcp(1, port_state::closed, reason::rst), tcp(2, port_state::closed, reason::rst),
             tcp(3, port_state::closed, reason::rst)};
  std::string text = render_scan_text(r);
  EXPECT_TRUE(has(text, "Closed (3):\n  rst (3): 1-3\n")) << text;
  EXPECT_FALSE(has(text, "Open")) << text;
  EXPECT_FALSE(has(text, "Stealth")) << text;
  EXPECT_FALSE(has(text, "(0)")) << text;
  EXPECT_FALSE(has(text, "No port was decided")) << text;

  r.ports = {tcp(22, port_state::open, reason::syn_ack), tcp(23, port_state::stealth, {})};
  text = render_scan_text(r);
  EXPECT_TRUE(has(text, "Open (1):\n  22 ")) << text;
  EXPECT_TRUE(has(text, "Stealth (1):\n  23\n")) << text;
  EXPECT_FALSE(has(text, "Closed")) << text;
}

TEST(probe_text, udp_report_omits_empty_groups) {
  scan_result r = target();
  r.udp = {udp(53, port_state::closed, icmp_info{3, 3, {}}),
           udp(54, port_state::closed, icmp_info{3, 3, {}}),
           udp(161, port_state::filtered, icmp_info{3, 13, {}})};
  std::string text = render_scan_text(r);
  EXPECT_TRUE(has(text, "UDP (3 port(s)):\nClosed, port unreachable (2):\n  53-54\n")) << text;
  EXPECT_TRUE(
      has(text, "Filtered, another ICMP unreachable (1):\n  161    icmp admin-prohibited\n"))
      << text;
  EXPECT_FALSE(has(text, "Open")) << text;
  EXPECT_FALSE(has(text, "No answer")) << text;
  EXPECT_FALSE(has(text, "(0)")) << text;
  EXPECT_FALSE(has(text, "TCP")) << text;  // no TCP ports asked for: no TCP section

  r.udp = {udp(9999, port_state::stealth)};
  text = render_scan_text(r);
  EXPECT_TRUE(has(text, "No answer: stealth, or a service that stays silent (1):\n  9999\n"))
      << text;
  EXPECT_FALSE(has(text, "Closed")) << text;
  EXPECT_FALSE(has(text, "Filtered")) << text;
}

TEST(probe_text, a_scan_with_nothing_decided_says_so_once) {
  scan_result r = target();
  r.cancelled = true;
  std::string text = render_scan_text(r);
  EXPECT_TRUE(has(text, "(cancelled)\n\nNo port was decided.\n")) << text;
  EXPECT_FALSE(has(text, "(0)")) << text;
}

}  // namespace
}  // namespace breakwater::app
