// The HTTP server's options: where it listens, its limits, and whose word on the client's
// address it takes. Defaults are written here and nowhere else.
#pragma once

#include "common/cidr.hpp"
#include "http/listen_address.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::http {

// Which header a trusted proxy names the client in. Exactly one is believed; the others are
// never read for the address, whatever they say.
enum class client_header { x_forwarded_for, forwarded, x_real_ip, none };

std::string_view to_string(client_header h) noexcept;  // "x-forwarded-for", ...
bool parse_client_header(std::string_view text, client_header& out) noexcept;

// Whose word on the client's address counts (see client_address.hpp).
struct client_trust {
  common::cidr_list trusted_proxies;  // their header (and PROXY protocol lines) name the client
  client_header header = client_header::x_forwarded_for;
};

// The blocks a configuration trusts, or why not: each an address or a block no wider than
// max_trusted_v4_block (IPv4) or max_trusted_v6_block (IPv6), written with no bits past its
// prefix. Every address in a trusted block may name any client, and so aim the probes at
// anyone: a block as wide as the internet is a mistake, and so, most likely, is
// "10.0.0.5/8" (the proxy 10.0.0.5, or the block 10.0.0.0/8?).
inline constexpr unsigned max_trusted_v4_block = 8;
inline constexpr unsigned max_trusted_v6_block = 32;
boost::system::result<common::cidr_list, std::string> parse_trusted_proxies(
    const std::vector<std::string>& items);

struct limits {
  std::size_t max_header_bytes = 8 * 1024;           // request line and headers; over it: 431
  std::size_t max_body_bytes = 64 * 1024;            // over it: 413
  std::chrono::milliseconds header_timeout{10'000};  // whole request head (and TLS handshake)
  std::chrono::milliseconds idle_timeout{30'000};    // between keep-alive requests
  std::size_t max_connections = 4096;                // over it: 503 and close
  // Per client (an IPv4 address or an IPv6 /64, and its /48 four times as many: see
  // http/client_slots.hpp; trusted proxies are not counted): one visitor cannot take every
  // connection. Over it: 503 (HTTPS: closed before the handshake).
  std::size_t max_connections_per_client = 64;
  // The kernel hands over a connection only once its first bytes came (TCP_DEFER_ACCEPT,
  // for up to the header timeout, as Apache does by default): a client that connects and
  // says nothing costs no slot, no wakeup and no timer here.
  bool defer_accept = true;
};

struct server_options {
  std::vector<listen_address> http{{"127.0.0.1", 8080}};
  std::vector<listen_address> https{{"127.0.0.1", 8443}};
  struct limits limits;
  client_trust trust;
  // Host names this server answers to (besides IP literals and localhost); other Host
  // headers get 421, so a rebinding DNS name cannot reach it from a visitor's browser.
  std::vector<std::string> server_names;
};

}  // namespace breakwater::http
