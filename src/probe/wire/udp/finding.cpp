#include "probe/wire/udp/finding.hpp"

#include <array>

namespace breakwater::probe::udp {
namespace {

// Reflectors first: a small spoofed request makes them send a large answer to a victim.
constexpr std::array<finding_info, 18> table{{
    {"open-resolver", "answers DNS queries from anyone",
     "Turn off DNS on the router's WAN side, or limit recursion to your own network.", true},
    {"ntp-monlist", "answers NTP's monlist request",
     "A tiny request draws a list of hundreds of addresses: a favourite amplifier since 2013 "
     "(CVE-2013-5211). Update the NTP server or disable mode 7 queries (\"disable monitor\").",
     true},
    {"snmp-public", "tells anyone who asks with community \"public\" what it is",
     "SNMP with the default community is an amplifier and leaks the device's details. Turn "
     "SNMP off on the WAN side, or change the community and restrict who may ask.",
     true},
    {"ssdp-reflector", "answers UPnP discovery (SSDP) from the internet",
     "SSDP belongs on your local network only; from the internet it amplifies attacks and "
     "invites port-forwarding abuse. Turn off UPnP on the WAN side, or update the router.",
     true},
    {"memcached-udp", "runs memcached with UDP open to the internet",
     "memcached over UDP amplified the largest attacks of 2018 (CVE-2018-1000115). Disable UDP "
     "(-U 0) and bind memcached to a private address.",
     true},
    {"cldap-reflector", "answers connectionless LDAP (CLDAP) from the internet",
     "CLDAP's rootDSE answer is many times its request: block UDP 389 at the edge; a domain "
     "controller should never face the internet.",
     true},
    {"ws-discovery", "answers WS-Discovery probes from the internet",
     "Cameras and printers answer WS-Discovery with large XML: an amplifier. Block UDP 3702 "
     "from outside.",
     true},
    {"mdns-exposed", "answers multicast DNS (mDNS) from the internet",
     "mDNS lists the names and services of the machine and amplifies attacks. Block UDP 5353 "
     "at the edge.",
     true},
    {"netbios-exposed", "answers NetBIOS name queries from the internet",
     "The answer names the machine and its workgroup. Block UDP 137-139 at the edge.", true},
    {"mssql-browser", "answers the SQL Server browser from the internet",
     "The instance list names every database instance and amplifies attacks. Block UDP 1434 "
     "and stop the browser service if it is not needed.",
     true},
    {"coap-exposed", "answers CoAP requests from the internet",
     "Constrained devices answering CoAP from anywhere leak their resources and amplify "
     "attacks. Block UDP 5683 at the edge.",
     true},
    {"ubiquiti-discovery", "answers Ubiquiti's discovery protocol from the internet",
     "The answer names the device, its firmware and addresses, and amplifies attacks. Turn "
     "off the discovery service or block UDP 10001 on the WAN side.",
     true},
    {"chargen-reflector", "runs chargen, the character generator",
     "Each datagram draws a block of characters back: a classic amplifier with no use today. "
     "Turn the service off.",
     true},
    {"qotd-reflector", "runs the quote of the day service",
     "An old service that answers any datagram with text, spoofed or not. Turn it off.", true},
    {"echo-reflector", "runs the echo service",
     "Echo sends every datagram back, so two echo services can be made to bounce traffic "
     "forever. Turn it off.",
     true},
    {"nat-pmp-wan", "answers NAT-PMP on its internet side",
     "A router must never answer NAT-PMP from the WAN (RFC 6886): anyone may be able to read "
     "its state or add port forwards. Update the firmware or turn NAT-PMP off.",
     false},
    {"tftp-exposed", "runs a TFTP server reachable from the internet",
     "TFTP has no passwords: anyone can fetch (or upload) files by name. Block UDP 69 from "
     "outside.",
     false},
    {"sip-exposed", "answers SIP from the internet",
     "Open SIP draws constant password guessing and toll fraud. Allow SIP only from your "
     "provider's addresses.",
     false},
}};

}  // namespace

std::span<const finding_info> findings() noexcept { return table; }

const finding_info* find_finding(std::string_view id) noexcept {
  for (const auto& f : table) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

}  // namespace breakwater::probe::udp
