// What `breakwater reach` says when the nonce did not arrive, case by case.
#include "app/reach_diagnosis.hpp"

#include <gtest/gtest.h>

namespace breakwater::app {
namespace {

using probe::reach_delivery;
using probe::reach_transport;

reach_evidence lan_host(std::string server_saw, reach_delivery d, reach_transport t) {
  reach_evidence e;
  e.transport = t;
  e.port = 51820;
  e.local_port = 51820;
  e.server_saw = std::move(server_saw);
  e.local = {{"eth0", "192.168.1.2"}, {"eth0", "2001:db8:1::2"}, {"eth0", "fe80::1"}};
  e.toward_server = "192.168.1.2";
  e.state = "sent";
  e.delivery = d;
  e.attempts = t == reach_transport::udp ? 4 : 3;
  e.server_url = "https://ports.example.org";
  return e;
}

bool has(const std::vector<std::string>& lines, std::string_view part) {
  for (const std::string& l : lines) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(reach_diagnosis, a_router_address_with_a_private_one_here_is_nat) {
  auto x = explain_timeout(lan_host("203.0.113.7", reach_delivery::sent, reach_transport::udp));
  EXPECT_EQ(x.kind, reach_case::nat);
  EXPECT_EQ(to_string(x.kind), "nat");
  EXPECT_NE(x.headline.find("this machine (192.168.1.2) is behind a NAT router"), std::string::npos)
      << x.headline;
  EXPECT_TRUE(has(x.next, "add or fix the port forward: UDP 51820 to 192.168.1.2 port 51820"));
  EXPECT_TRUE(has(x.next, "breakwater nat --server https://ports.example.org"));
  EXPECT_TRUE(has(x.details, "The server sent 4 datagrams to 203.0.113.7 port 51820"));
}

TEST(reach_diagnosis, what_the_server_saw_of_a_tcp_forward_is_said) {
  auto refused =
      explain_timeout(lan_host("203.0.113.7", reach_delivery::refused, reach_transport::tcp));
  EXPECT_TRUE(has(refused.details, "3 connection attempts were refused"));
  EXPECT_TRUE(has(refused.details, "the router has no forward for TCP 51820"));
  auto written =
      explain_timeout(lan_host("203.0.113.7", reach_delivery::written, reach_transport::tcp));
  EXPECT_TRUE(has(written.details, "the forward leads to another device"));
  auto silent =
      explain_timeout(lan_host("203.0.113.7", reach_delivery::no_answer, reach_transport::tcp));
  EXPECT_TRUE(has(silent.details, "got no answer at all: the router drops them"));
  auto failed = lan_host("203.0.113.7", reach_delivery::failed, reach_transport::tcp);
  failed.detail = "cannot open a socket: too many open files";
  EXPECT_TRUE(has(explain_timeout(failed).details, "The server could not send: cannot open"));
  auto sending = lan_host("203.0.113.7", reach_delivery::none, reach_transport::tcp);
  sending.state = "sending";
  EXPECT_TRUE(has(explain_timeout(sending).details, "try a longer --timeout"));
}

TEST(reach_diagnosis, this_machines_own_address_means_a_firewall) {
  auto e = lan_host("2001:db8:1::2", reach_delivery::sent, reach_transport::udp);
  e.watch = true;
  auto x = explain_timeout(e);
  EXPECT_EQ(x.kind, reach_case::this_machine);
  EXPECT_NE(x.headline.find("this machine's own address (eth0)"), std::string::npos) << x.headline;
  EXPECT_TRUE(has(x.next, "Allow UDP 51820 in this machine's firewall"));
  EXPECT_TRUE(has(x.next, "Check that the service listens on UDP 51820"));
  // Written differently, the same address.
  EXPECT_EQ(
      explain_timeout(lan_host("2001:0db8:0001::0002", reach_delivery::sent, reach_transport::udp))
          .kind,
      reach_case::this_machine);
}

TEST(reach_diagnosis, a_shared_address_means_carrier_grade_nat) {
  auto e = lan_host("198.51.100.9", reach_delivery::sent, reach_transport::udp);
  e.local = {{"wwan0", "100.72.1.5"}};
  e.toward_server = "100.72.1.5";
  auto x = explain_timeout(e);
  EXPECT_EQ(x.kind, reach_case::cgnat);
  EXPECT_NE(x.headline.find("100.72.1.5 is in 100.64.0.0/10"), std::string::npos) << x.headline;
  EXPECT_NE(x.headline.find("cannot work"), std::string::npos);
  EXPECT_TRUE(has(x.next, "Ask your provider for a public IPv4 address"));
  EXPECT_TRUE(has(x.next, "use IPv6"));
  // The server seeing a shared address says the same.
  EXPECT_EQ(
      explain_timeout(lan_host("100.64.0.9", reach_delivery::sent, reach_transport::udp)).kind,
      reach_case::cgnat);
}

TEST(reach_diagnosis, an_address_that_is_nobodys_here_is_elsewhere) {
  auto e = lan_host("2001:db8:9::1", reach_delivery::sent, reach_transport::udp);
  auto x = explain_timeout(e);  // IPv6, not ours: no NAT of ours explains it
  EXPECT_EQ(x.kind, reach_case::elsewhere);
  EXPECT_NE(x.headline.find("none of this machine's addresses (192.168.1.2, 2001:db8:1::2"),
            std::string::npos)
      << x.headline;
  e = lan_host("203.0.113.7", reach_delivery::sent, reach_transport::udp);
  e.local = {{"eth0", "198.51.100.4"}};  // a public address here, another one seen
  e.toward_server = "198.51.100.4";
  EXPECT_EQ(explain_timeout(e).kind, reach_case::elsewhere);
}

TEST(reach_diagnosis, a_different_local_port_is_named) {
  auto e = lan_host("203.0.113.7", reach_delivery::sent, reach_transport::tcp);
  e.port = 2222;
  e.local_port = 22;
  auto x = explain_timeout(e);
  EXPECT_TRUE(has(x.next, "TCP 2222 to 192.168.1.2 port 22"));
}

}  // namespace
}  // namespace breakwater::app
