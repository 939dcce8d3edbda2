// How the pages word a UDP verdict: state words, the amplification, the ICMP message and a
// finding as a sentence about the visitor's address. The findings' own words live in one place,
// probe/wire/udp/finding.hpp; this only frames them.
#pragma once

#include "probe/verdict.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace breakwater::site {

// Bytes back per byte sent, for people: "x41", "x1.6", "x2".
std::string amplification_text(double amplification);

// "open", "closed", "filtered", "no answer": silence on UDP is not proof of a filter.
std::string_view udp_state_word(probe::port_state s) noexcept;

// The protocol the port is probed with ("DNS"), or empty for the generic probe.
std::string_view udp_protocol_name(std::uint16_t port) noexcept;

// "UDP port 53 (DNS)", "UDP port 41641, Tailscale (WireGuard)," (a name with parentheses of
// its own), "UDP port 9999": the start of a sentence about the port.
std::string udp_port_label(std::uint16_t port);

// Silent by design (WireGuard): what silence means there; empty for other ports.
std::string_view udp_silence_note(std::uint16_t port) noexcept;

struct udp_finding_words {
  // "Your address answers DNS queries from anyone: it can be used to attack others
  // (amplification x1.6)."
  std::string sentence;
  std::string_view advice;
  bool reflector = false;
};

// The sentence of a finding (by its id) for a port that answered with this amplification;
// nothing for an unknown id.
std::optional<udp_finding_words> udp_finding_words_of(std::string_view id, double amplification);

// For an open UDP port whose answer names a finding of the table; nothing otherwise.
std::optional<udp_finding_words> udp_finding_of(const probe::port_result& r);

// The ICMP error in words, with its sender when a router sent it: "admin prohibited (from
// 198.18.0.254)"; "ICMP error" when the message is unknown.
std::string icmp_words(const probe::port_result& r, bool v6);

// The findings table as JSON, {"open-resolver":{"headline":"...","advice":"...",
// "reflector":true},...}: for scripts that word live verdicts from the same table.
std::string udp_findings_json();

}  // namespace breakwater::site
