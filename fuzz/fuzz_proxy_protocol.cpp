// libFuzzer target for the PROXY protocol parser: never crashes, never claims more bytes than
// it was given, and an address it returns parses as one.
#include "common/cidr.hpp"
#include "http/proxy_protocol.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace breakwater::http;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  proxy_parse p = parse_proxy_header(bytes);
  if (p.status != proxy_status::ok) return 0;
  if (p.header.length == 0 || p.header.length > bytes.size() ||
      p.header.length > proxy_header_max) {
    std::abort();
  }
  if (p.header.has_address && !breakwater::common::parse_ip(p.header.source)) std::abort();
  return 0;
}
