// The PROXY protocol header (HAProxy, versions 1 and 2) that a load balancer may put at the
// start of a connection to say who the client is. Honoured only from trusted proxies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace breakwater::http {

enum class proxy_status {
  none,        // the bytes do not start a PROXY header: plain HTTP or TLS
  incomplete,  // a header has begun; read more (at most proxy_header_max bytes in all)
  invalid,     // it claims to be a PROXY header but is malformed
  ok,
};

// v1 is at most 107 bytes; v2 is 16 plus a length we accept up to this.
inline constexpr std::size_t proxy_header_max = 16 + 512;

struct proxy_header {
  std::size_t length = 0;    // bytes to consume
  bool has_address = false;  // false: LOCAL / UNKNOWN (a health check): keep the peer
  std::string source;        // normalised client address
  std::uint16_t source_port = 0;
};

struct proxy_parse {
  proxy_status status = proxy_status::none;
  proxy_header header;
};

proxy_parse parse_proxy_header(std::string_view bytes);

}  // namespace breakwater::http
