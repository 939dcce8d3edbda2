// The parsers `breakwater nat` reads routers with: the XML subset, an IGD description, SOAP
// answers and faults, NAT-PMP answers.
#include "probe/wire/igd_description.hpp"
#include "probe/wire/igd_soap.hpp"
#include "probe/wire/nat_pmp.hpp"
#include "probe/wire/xml_subset.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace breakwater::probe {
namespace {

// Shaped like miniupnpd's rootDesc.xml: the WAN service three devices deep.
constexpr std::string_view description = R"(<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0" configId="1337">
<specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
<friendlyName>Debian router</friendlyName><manufacturer>Debian</manufacturer>
<modelName>Debian router</modelName>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
<!-- a comment with <service> inside -->
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL>
</service></serviceList></device></deviceList></device></deviceList></device></root>)";

TEST(IgdDescription, FindsTheWanConnectionServiceDeepInside) {
  auto d = parse_igd_description(description);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->friendly_name, "Debian router");
  EXPECT_EQ(d->manufacturer, "Debian");
  ASSERT_EQ(d->wan_services.size(), 1u);
  EXPECT_EQ(d->wan_services[0].service_type, "urn:schemas-upnp-org:service:WANIPConnection:2");
  EXPECT_EQ(d->wan_services[0].control_url, "/ctl/IPConn");
}

TEST(IgdDescription, ReadsPrefixedTagsAndEntities) {
  auto d = parse_igd_description(
      "<r:root><r:URLBase>http://10.0.0.1:80/</r:URLBase><r:device><r:friendlyName>A &amp; "
      "B</r:friendlyName><r:service><r:serviceType>urn:schemas-upnp-org:service:"
      "WANPPPConnection:1</r:serviceType><r:controlURL>ppp</r:controlURL></r:service>"
      "</r:device></r:root>");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->friendly_name, "A & B");
  EXPECT_EQ(d->url_base, "http://10.0.0.1:80/");
  ASSERT_EQ(d->wan_services.size(), 1u);
}

TEST(IgdDescription, RefusesWhatIsNoDeviceDescription) {
  EXPECT_FALSE(parse_igd_description(""));
  EXPECT_FALSE(parse_igd_description("<html><body>login</body></html>"));
  EXPECT_FALSE(parse_igd_description("<root><device>never closed"));
}

TEST(IgdDescription, ResolvesControlUrls) {
  auto loc = "http://192.168.1.1:5000/rootDesc.xml";
  EXPECT_EQ(resolve_control_url(loc, "", "/ctl/IPConn"), "http://192.168.1.1:5000/ctl/IPConn");
  EXPECT_EQ(resolve_control_url(loc, "", "ctl"), "http://192.168.1.1:5000/ctl");
  EXPECT_EQ(resolve_control_url("http://h/a/b.xml", "", "c"), "http://h/a/c");
  EXPECT_EQ(resolve_control_url(loc, "http://10.0.0.1:80", "x"), "http://10.0.0.1:80/x");
  EXPECT_EQ(resolve_control_url(loc, "", "http://o/c"), "http://o/c");
  EXPECT_FALSE(resolve_control_url("https://h/d.xml", "", "/c"));
  EXPECT_FALSE(resolve_control_url("http:///d.xml", "", "/c"));
}

TEST(Soap, BuildsTheCallWithEscapedArguments) {
  auto c = make_soap_call("urn:schemas-upnp-org:service:WANIPConnection:1",
                          "GetGenericPortMappingEntry", {{"NewPortMappingIndex", "<3>"}});
  EXPECT_EQ(c.soap_action,
            "\"urn:schemas-upnp-org:service:WANIPConnection:1#"
            "GetGenericPortMappingEntry\"");
  EXPECT_NE(c.body.find("<NewPortMappingIndex>&lt;3&gt;</NewPortMappingIndex>"), std::string::npos);
  EXPECT_NE(c.body.find("<u:GetGenericPortMappingEntry xmlns:u=\"urn:schemas-upnp-org:service:"
                        "WANIPConnection:1\">"),
            std::string::npos);
}

TEST(Soap, ReadsAnAnswersFields) {
  auto a = parse_soap_answer(
      R"(<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">)"
      R"(<s:Body><u:GetExternalIPAddressResponse xmlns:u="urn:x">)"
      "<NewExternalIPAddress> 11.0.0.2 </NewExternalIPAddress>"
      "</u:GetExternalIPAddressResponse></s:Body></s:Envelope>");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->fault);
  ASSERT_NE(a->field("NewExternalIPAddress"), nullptr);
  EXPECT_EQ(*a->field("NewExternalIPAddress"), "11.0.0.2");
  EXPECT_EQ(a->field("Other"), nullptr);
}

TEST(Soap, ReadsAUpnpError) {
  auto a = parse_soap_answer(
      "<s:Envelope><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError"
      "</faultstring><detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>"
      "713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription>"
      "</UPnPError></detail></s:Fault></s:Body></s:Envelope>");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->fault);
  EXPECT_EQ(a->fault->code, 713);
  EXPECT_EQ(a->fault->description, "SpecifiedArrayIndexInvalid");
  EXPECT_FALSE(parse_soap_answer("<html>500</html>"));
}

TEST(Soap, ReadsAPortMapping) {
  soap_answer a;
  a.fields = {{"NewRemoteHost", ""},
              {"NewExternalPort", "8022"},
              {"NewProtocol", "TCP"},
              {"NewInternalPort", "2222"},
              {"NewInternalClient", "192.168.1.2"},
              {"NewEnabled", "1"},
              {"NewPortMappingDescription", "game"},
              {"NewLeaseDuration", "3600"}};
  auto m = port_mapping_of(a);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->external_port, 8022);
  EXPECT_EQ(m->internal_port, 2222);
  EXPECT_EQ(m->internal_client, "192.168.1.2");
  EXPECT_TRUE(m->enabled);
  EXPECT_EQ(m->lease_seconds, 3600u);
  a.fields[1].second = "70000";
  EXPECT_FALSE(port_mapping_of(a));
}

TEST(Xml, ChildrenSkipNestedElementsAndKeepLimits) {
  auto c = text_children("<a>1</a><b><c>2</c></b><d/><e>" + std::string(600, 'x') + "</e>");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(c[1].first, "d");
  EXPECT_EQ(c[2].second.size(), 512u);
  EXPECT_EQ(xml_unescape("&lt;&#65;&#x42;&bogus;&"), "<AB&bogus;&");
}

TEST(NatPmp, ReadsTheExternalAddressAndErrors) {
  EXPECT_EQ(make_nat_pmp_address_request(), (std::array<std::uint8_t, 2>{0, 0}));
  std::array<std::uint8_t, 12> ok{0, 128, 0, 0, 0, 0, 1, 0, 11, 0, 0, 2};
  auto a = parse_nat_pmp_address_answer(ok);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->result, 0);
  EXPECT_EQ(a->epoch, 256u);
  EXPECT_EQ(a->address, (std::array<std::uint8_t, 4>{11, 0, 0, 2}));
  std::array<std::uint8_t, 8> failure{0, 128, 0, 3, 0, 0, 0, 9};
  auto f = parse_nat_pmp_address_answer(failure);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->result, 3);
  EXPECT_NE(nat_pmp_result_text(3).find("network failure"), std::string_view::npos);
  EXPECT_FALSE(parse_nat_pmp_address_answer(std::span(ok).first(8)));  // success needs 12
  ok[1] = 129;                                                         // a mapping answer, not ours
  EXPECT_FALSE(parse_nat_pmp_address_answer(ok));
}

}  // namespace
}  // namespace breakwater::probe
