// The "does my forward reach this machine?" test, in words both ends share: the server sends
// a nonce to the requester's address and port (UDP datagrams, or a TCP connection that
// writes it), and the program on the requester's machine finds it and sends it back. The
// message format, the transports and what became of the sending live here; the sending
// itself is in reach_sender.hpp (Asio), the packet parser of `reach --watch` in
// wire/reach_packet.hpp. Asio-free.
#pragma once

#include "probe/detail/clock.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::probe {

enum class reach_transport : std::uint8_t { udp, tcp };

std::string_view to_string(reach_transport t) noexcept;  // "udp", "tcp"
std::optional<reach_transport> parse_reach_transport(std::string_view text) noexcept;

// What became of the sending, as far as the server can tell.
enum class reach_delivery : std::uint8_t {
  none,         // nothing sent yet
  sent,         // UDP: the datagrams left (whether they arrived, only the receiver knows)
  answered,     // UDP: something sent a datagram back from that address and port
  written,      // TCP: a connection was accepted and the message written
  refused,      // TCP: reset; UDP: ICMP port unreachable (something said nothing listens)
  unreachable,  // ICMP host/network unreachable or administratively prohibited
  no_answer,    // TCP: every connection attempt went unanswered
  failed,       // this server could not send at all (its own network, or a socket error)
};

// "sent", "answered", "written", "refused", "unreachable", "no_answer", "failed", "none".
std::string_view to_string(reach_delivery d) noexcept;

// How the server spaces its sending. UDP: one datagram at each offset from the start
// (datagrams get lost; a few spread over seconds survive a brief loss or a slow listener).
// TCP: `tcp_tries` connections, each with its own deadline for connect and for the write,
// `tcp_retry_gap` apart (a listener started a moment late still gets one).
struct reach_send_options {
  std::vector<duration> udp_schedule{std::chrono::milliseconds(0), std::chrono::milliseconds(400),
                                     std::chrono::milliseconds(1200),
                                     std::chrono::milliseconds(2500)};
  duration udp_tail{std::chrono::milliseconds(500)};  // waits for an ICMP error after the last
  unsigned tcp_tries = 3;
  duration tcp_connect_deadline{std::chrono::seconds(3)};
  duration tcp_write_deadline{std::chrono::seconds(2)};
  duration tcp_close_deadline{std::chrono::seconds(1)};  // the peer's FIN after ours
  duration tcp_retry_gap{std::chrono::seconds(1)};

  // The packets one test may send: what it costs in the requester's probe budget.
  std::size_t cost(reach_transport t) const noexcept {
    return t == reach_transport::udp ? udp_schedule.size() : tcp_tries;
  }
};

// The nonce: 128 random bits as 32 lowercase hex digits.
inline constexpr std::size_t reach_nonce_length = 32;
bool is_reach_nonce(std::string_view text) noexcept;

// "breakwater-reach <id> <nonce>\n": the datagram, or what the TCP connection writes.
inline constexpr std::string_view reach_tag = "breakwater-reach";
std::string reach_message(std::string_view id, std::string_view nonce);

// The nonce of test `id` anywhere in `payload` ("breakwater-reach <id> " then 32 hex
// digits), or nothing. Other tests' messages (another id) are passed over.
std::optional<std::string> find_reach_nonce(std::span<const std::uint8_t> payload,
                                            std::string_view id);
std::optional<std::string> find_reach_nonce(std::string_view payload, std::string_view id);

}  // namespace breakwater::probe
