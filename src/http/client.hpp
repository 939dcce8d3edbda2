// A small blocking HTTP/1.1 client for the command line's talks with a breakwater server
// (selfcheck today; nat and reach next): one request, one answer, over HTTP or HTTPS, on
// the address family asked for. Asio-free header; the work is in transport/client.cpp.
#pragma once

#include <boost/system/result.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace breakwater::http {

enum class ip_family { any, v4, v6 };

std::string_view to_string(ip_family f) noexcept;  // "any", "IPv4", "IPv6"

struct client_request {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path or https://...
  std::string body;
  std::string content_type;  // sent with a body
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{15'000};  // the whole exchange, connect to last byte
  ip_family family = ip_family::any;          // which of the host's addresses to use
  std::string ca_file;  // HTTPS: trust this PEM bundle instead of the system's
  bool verify = true;   // HTTPS: check the certificate chain and the host name
};

struct client_response {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string remote;  // the address connected to ("198.18.0.1" or "2001:db8::1")
};

// Bodies over this size are refused rather than read (a server is not a file host).
inline constexpr std::size_t max_client_body = 8u << 20;

// Blocks until the answer is in or the timeout passes. The error is a sentence that says
// which step failed (resolving, connecting, the TLS handshake, reading) and why.
boost::system::result<client_response, std::string> fetch(const client_request& request);

// The families the URL's host has addresses in (resolved now), in the order IPv4, IPv6;
// empty when it cannot be resolved. A literal address has exactly one.
std::vector<ip_family> families_of(const std::string& url);

}  // namespace breakwater::http
