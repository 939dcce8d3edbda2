// libFuzzer target for the raw-SYN prober's answer parsers: the first byte picks the parser
// (TCP or ICMP, IPv4 or IPv6), the rest is the packet. Never crashes or reads out of bounds.
#include "probe/wire/raw_packet.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace raw = breakwater::probe::raw;
  if (size == 0) return 0;
  std::span<const std::uint8_t> packet(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto a = raw::parse_tcp_v4(packet);
      if (a && a->from.v6) std::abort();
      break;
    }
    case 1: {
      raw::ip_bytes from;
      from.v6 = true;
      (void)raw::parse_tcp_v6(packet, from);
      break;
    }
    case 2: {
      auto a = raw::parse_icmp_v4(packet);
      if (a && a->info.type != 3) std::abort();  // destination unreachable only
      break;
    }
    default: {
      auto a = raw::parse_icmp_v6(packet);
      if (a && a->info.type != 1) std::abort();
      break;
    }
  }
  return 0;
}
