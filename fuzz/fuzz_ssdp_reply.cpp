// libFuzzer target for the SSDP answer parser: never crashes and keeps to its limits.
#include "probe/wire/ssdp_reply.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reply = breakwater::probe::parse_ssdp_reply(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!reply) return 0;
  if (reply->headers.size() > 64) std::abort();
  for (const auto& [name, value] : reply->headers) {
    if (name.empty() || name.size() > 512 || value.size() > 512) std::abort();
    for (char c : value) {
      if (static_cast<unsigned char>(c) < 0x20) std::abort();
    }
  }
  return 0;
}
