#include "probe/wire/udp/protocol.hpp"

#include "probe/wire/udp/families.hpp"

#include <algorithm>
#include <array>

namespace breakwater::probe::udp {
namespace {

using namespace detail;

struct port_protocol {
  std::uint16_t port;
  protocol proto;
};

constexpr std::string_view wireguard_silence =
    "Silence is what a healthy WireGuard port sends: it answers only a handshake signed with a "
    "key it knows. Use the reachability check (breakwater reach --udp) to prove the forward.";

// Ascending by port: protocol_for searches it.
const std::array<port_protocol, 29> table{{
    {7, {"Echo", echo_requests, echo_read, {}}},
    {17, {"QOTD", qotd_requests, qotd_read, {}}},
    {19, {"Chargen", chargen_requests, chargen_read, {}}},
    {53, {"DNS", dns_requests, dns_read, {}}},
    {69, {"TFTP", tftp_requests, tftp_read, {}}},
    {123, {"NTP", ntp_requests, ntp_read, {}}},
    {137, {"NetBIOS", netbios_requests, netbios_read, {}}},
    {161, {"SNMP", snmp_requests, snmp_read, {}}},
    {389, {"CLDAP", cldap_requests, cldap_read, {}}},
    {443, {"QUIC", quic_requests, quic_read, {}}},
    {500, {"IKE", ike_requests, ike_read, {}}},
    {1194, {"OpenVPN", openvpn_requests, openvpn_read, {}}},
    {1434, {"SQL Server browser", mssql_requests, mssql_read, {}}},
    {1900, {"SSDP", ssdp_requests, ssdp_read, {}}},
    {2457, {"Steam A2S (Valheim)", a2s_requests, a2s_read, {}}},
    {3478, {"STUN", stun_requests, stun_read, {}}},
    {3702, {"WS-Discovery", wsd_requests, wsd_read, {}}},
    {4500, {"IKE NAT-T", ike_natt_requests, ike_natt_read, {}}},
    {5060, {"SIP", sip_requests, sip_read, {}}},
    {5351, {"NAT-PMP", nat_pmp_requests, nat_pmp_read, {}}},
    {5353, {"mDNS", mdns_requests, mdns_read, {}}},
    {5683, {"CoAP", coap_requests, coap_read, {}}},
    {6881, {"BitTorrent DHT", dht_requests, dht_read, {}}},
    {10001, {"Ubiquiti discovery", ubiquiti_requests, ubiquiti_read, {}}},
    {11211, {"memcached", memcached_requests, memcached_read, {}}},
    {19132, {"Minecraft Bedrock", bedrock_requests, bedrock_read, {}}},
    {27015, {"Steam A2S", a2s_requests, a2s_read, {}}},
    {41641, {"Tailscale (WireGuard)", wireguard_requests, wireguard_read, wireguard_silence}},
    {51820, {"WireGuard", wireguard_requests, wireguard_read, wireguard_silence}},
}};

const protocol generic_protocol{"generic", generic_requests, generic_read, {}};

const std::array<std::uint16_t, table.size()> table_ports = [] {
  std::array<std::uint16_t, table.size()> ports{};
  for (std::size_t i = 0; i < table.size(); ++i) ports[i] = table[i].port;
  return ports;
}();

}  // namespace

const protocol& protocol_for(std::uint16_t port) noexcept {
  auto it = std::lower_bound(table.begin(), table.end(), port,
                             [](const port_protocol& p, std::uint16_t v) { return p.port < v; });
  if (it != table.end() && it->port == port) return it->proto;
  return generic_protocol;
}

std::span<const std::uint16_t> common_ports() noexcept { return table_ports; }

}  // namespace breakwater::probe::udp
