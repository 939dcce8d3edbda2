// Which NAT case the evidence means: the router's word first, the hops when it says nothing.
#include "app/nat_diagnosis.hpp"

#include <gtest/gtest.h>

namespace breakwater::app {
namespace {

constexpr std::string_view no_forwarding =
    "Forwarding on your router cannot make you reachable over IPv4; use IPv6, or ask your ISP "
    "for a public address.";

nat_evidence home(std::vector<hop> hops = {}) {
  nat_evidence e;
  e.gateway = "192.168.1.1";
  e.local_address = "192.168.1.2";
  e.server_saw = "203.0.113.7";
  e.hops = std::move(hops);
  return e;
}

gateway_report told(std::string wan) { return {true, std::move(wan), {}}; }
gateway_report refused() { return {true, std::nullopt, "result 3: network failure"}; }

bool mentions(const nat_diagnosis& d, std::string_view text) {
  for (const auto& fact : d.evidence) {
    if (fact.find(text) != std::string::npos) return true;
  }
  return d.advice.find(text) != std::string::npos;
}

TEST(NatDiagnosis, APublicWanAddressThatTheServerSawToo) {
  auto e = home({{1, "192.168.1.1"}, {2, "203.0.113.1"}});
  e.upnp = told("203.0.113.7");
  auto d = diagnose(e);
  EXPECT_EQ(d.kind, nat_case::public_router);
  EXPECT_EQ(to_string(d.kind), "public");
}

TEST(NatDiagnosis, AWanAddressInSharedSpaceIsCarrierGradeNat) {
  auto e = home();
  e.nat_pmp = told("100.64.3.4");
  auto d = diagnose(e);
  EXPECT_EQ(d.kind, nat_case::carrier_grade_nat);
  EXPECT_NE(d.advice.find(no_forwarding), std::string::npos);
}

TEST(NatDiagnosis, APrivateWanAddressIsDoubleNatUnlessTheHopsShowSharedSpace) {
  auto e = home({{1, "192.168.1.1"}, {2, "10.0.0.1"}});
  e.upnp = told("10.0.0.2");
  EXPECT_EQ(diagnose(e).kind, nat_case::double_nat);
  e.hops[1].address = "100.100.0.1";
  EXPECT_EQ(diagnose(e).kind, nat_case::carrier_grade_nat);
}

TEST(NatDiagnosis, APublicWanAddressTheServerDidNotSeeMeansAnotherNat) {
  auto e = home();
  e.upnp = told("198.51.100.9");
  auto d = diagnose(e);
  EXPECT_EQ(d.kind, nat_case::double_nat);
  EXPECT_TRUE(mentions(d, "but the server saw 203.0.113.7"));
}

TEST(NatDiagnosis, ARefusingRouterAndASharedHopIsCarrierGradeNat) {
  auto e = home({{1, "192.168.1.1"}, {2, "100.64.0.1"}, {3, "203.0.113.1"}});
  e.upnp = {true, std::nullopt, "GetExternalIPAddress gave an empty address"};
  e.nat_pmp = refused();
  auto d = diagnose(e);
  EXPECT_EQ(d.kind, nat_case::carrier_grade_nat);
  EXPECT_TRUE(mentions(d, "would not tell its WAN address"));
  EXPECT_TRUE(mentions(d, "hop 2 toward the server is 100.64.0.1"));
}

TEST(NatDiagnosis, ASilentRouterIsReadFromTheHops) {
  auto e = home({{1, "192.168.1.1"}, {2, ""}, {3, "172.20.0.1"}, {4, "203.0.113.1"}});
  auto d = diagnose(e);
  EXPECT_EQ(d.kind, nat_case::double_nat);
  EXPECT_TRUE(mentions(d, "rests on the hops alone"));
  e.hops = {{1, "192.168.1.1"}, {2, "198.51.100.1"}, {3, "10.9.9.9"}};
  EXPECT_EQ(diagnose(e).kind, nat_case::public_router);  // private after public: ISP inside
}

TEST(NatDiagnosis, ARefusalWithSilentHopsStillMeansANatBeyond) {
  auto e = home({{1, "192.168.1.1"}, {2, ""}, {3, "203.0.113.7", true}});
  e.nat_pmp = refused();
  auto d = diagnose(e);
  EXPECT_EQ(d.kind, nat_case::nat_beyond_router);
  EXPECT_NE(d.advice.find(no_forwarding), std::string::npos);
}

TEST(NatDiagnosis, NothingToldIsSaidPlainly) {
  auto d = diagnose(home({{1, "192.168.1.1"}, {2, ""}, {3, ""}, {4, ""}}));
  EXPECT_EQ(d.kind, nat_case::no_gateway_answer);
  EXPECT_NE(d.headline.find("answered neither UPnP nor NAT-PMP"), std::string::npos);
  EXPECT_TRUE(mentions(d, "the server saw 203.0.113.7"));
}

TEST(NatDiagnosis, OurOwnPublicAddressIsNoNat) {
  auto e = home();
  e.local_address = "203.0.113.7";
  EXPECT_EQ(diagnose(e).kind, nat_case::no_nat);
}

TEST(NatDiagnosis, IPv6IsOfferedWhenTheServerSawIt) {
  auto e = home();
  e.upnp = told("100.64.0.2");
  e.server_saw_v6 = "2001:db8::2";
  EXPECT_TRUE(mentions(diagnose(e), "Over IPv6 the server saw your address 2001:db8::2"));
}

}  // namespace
}  // namespace breakwater::app
