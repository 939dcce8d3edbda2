// breakwater nat's output: the JSON scripts read, and the sentences people read.
#include "app/nat_report.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace breakwater::app {
namespace {

nat_evidence cgnat_evidence() {
  nat_evidence e;
  e.gateway = "192.168.1.1";
  e.local_address = "192.168.1.2";
  e.server_saw = "11.0.0.2";
  e.upnp = {true, std::nullopt, "GetExternalIPAddress gave an empty address"};
  e.hops = {{1, "192.168.1.1"}, {2, "100.64.0.1"}, {3, ""}};
  e.mappings.push_back({"", 8022, "TCP", 2222, "192.168.1.2", true, "game", 0});
  e.hairpin = {hairpin_state::fails, "11.0.0.2", 8022, "the connection was refused"};
  return e;
}

TEST(NatReport, JsonNamesTheCaseAndEveryPieceOfEvidence) {
  auto e = cgnat_evidence();
  auto v = nat_json(e, diagnose(e)).as_object();
  EXPECT_EQ(v.at("diagnosis"), "cgnat");
  EXPECT_EQ(v.at("gateway").at("ipv4"), "192.168.1.1");
  EXPECT_TRUE(v.at("gateway").at("ipv6").is_null());
  EXPECT_EQ(v.at("upnp").at("refusal"), "GetExternalIPAddress gave an empty address");
  EXPECT_EQ(v.at("nat_pmp").at("answered"), false);
  EXPECT_EQ(v.at("mappings").at(0).at("external_port"), 8022);
  EXPECT_EQ(v.at("hops").at(1).at("scope"), "shared");
  EXPECT_TRUE(v.at("hops").at(2).at("address").is_null());
  EXPECT_EQ(v.at("hairpin").at("state"), "fails");
}

TEST(NatReport, TextSaysWhatToDo) {
  auto e = cgnat_evidence();
  std::string t = nat_text(e, diagnose(e));
  EXPECT_EQ(t.rfind("Carrier-grade NAT", 0), 0u);
  EXPECT_NE(t.find("these ports were opened by programs on your network"), std::string::npos);
  EXPECT_NE(t.find("  TCP 8022 -> 192.168.1.2:2222  game"), std::string::npos);
  EXPECT_NE(t.find("2:100.64.0.1 (shared) 3:*"), std::string::npos);
  EXPECT_NE(t.find("hairpin NAT: does not work for 11.0.0.2:8022"), std::string::npos);
  EXPECT_NE(t.find("use their LAN address"), std::string::npos);
}

}  // namespace
}  // namespace breakwater::app
