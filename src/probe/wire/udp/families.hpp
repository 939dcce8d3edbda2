// The protocols behind protocol_for(), one pair of functions each, implemented by family
// (dns.cpp, ntp.cpp, snmp.cpp...). Internal to the UDP wire code and its tests.
#pragma once

#include "probe/wire/udp/protocol.hpp"

#define BW_UDP_PROTOCOL(name)                 \
  std::vector<std::string> name##_requests(); \
  reading name##_read(std::span<const std::string_view> answers);

namespace breakwater::probe::udp::detail {

BW_UDP_PROTOCOL(dns)        // 53: a recursive query; RA set and an answer = open resolver
BW_UDP_PROTOCOL(mdns)       // 5353: the DNS-SD service list, asked unicast
BW_UDP_PROTOCOL(netbios)    // 137: node status (NBSTAT *)
BW_UDP_PROTOCOL(ntp)        // 123: a mode 3 time request and a mode 7 monlist request
BW_UDP_PROTOCOL(snmp)       // 161: v2c GET sysDescr.0 with community "public"
BW_UDP_PROTOCOL(cldap)      // 389: a connectionless LDAP search of the rootDSE
BW_UDP_PROTOCOL(memcached)  // 11211: "version" in a UDP frame
BW_UDP_PROTOCOL(mssql)      // 1434: the SQL Server browser's instance list (0x02)
BW_UDP_PROTOCOL(ssdp)       // 1900: M-SEARCH
BW_UDP_PROTOCOL(wsd)        // 3702: WS-Discovery Probe
BW_UDP_PROTOCOL(ubiquiti)   // 10001: Ubiquiti discovery
BW_UDP_PROTOCOL(coap)       // 5683: GET /.well-known/core
BW_UDP_PROTOCOL(nat_pmp)    // 5351: NAT-PMP external address request
BW_UDP_PROTOCOL(stun)       // 3478: binding request
BW_UDP_PROTOCOL(sip)        // 5060: OPTIONS
BW_UDP_PROTOCOL(openvpn)    // 1194: P_CONTROL_HARD_RESET_CLIENT_V2
BW_UDP_PROTOCOL(ike)        // 500: IKEv2 IKE_SA_INIT
BW_UDP_PROTOCOL(ike_natt)   // 4500: the same behind the non-ESP marker
BW_UDP_PROTOCOL(quic)       // 443: a long header with an unknown version: version negotiation
BW_UDP_PROTOCOL(tftp)       // 69: a read request for a file that does not exist
BW_UDP_PROTOCOL(a2s)        // 27015, 2457: Steam A2S_INFO
BW_UDP_PROTOCOL(bedrock)    // 19132: RakNet unconnected ping
BW_UDP_PROTOCOL(dht)        // 6881: BitTorrent DHT ping (BEP 5)
BW_UDP_PROTOCOL(echo)       // 7
BW_UDP_PROTOCOL(qotd)       // 17
BW_UDP_PROTOCOL(chargen)    // 19
BW_UDP_PROTOCOL(wireguard)  // 51820, 41641: silent by design; a datagram WireGuard drops
BW_UDP_PROTOCOL(generic)    // everything else

}  // namespace breakwater::probe::udp::detail

#undef BW_UDP_PROTOCOL
