// libFuzzer target for `breakwater reach --watch`: the packet parser (IPv4/IPv6, extension
// headers, UDP/TCP) and the nonce search in what it finds. The payload must lie inside the
// input, and a nonce found must have the nonce's form. Never crashes or reads out of bounds.
#include "probe/reach.hpp"
#include "probe/wire/reach_packet.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace reach_wire = breakwater::probe::reach_wire;
  std::span<const std::uint8_t> input(data, size);
  auto p = reach_wire::parse_packet(input);
  std::span<const std::uint8_t> payload = input;
  if (p) {
    if (!p->payload.empty() &&
        (p->payload.data() < data || p->payload.data() + p->payload.size() > data + size)) {
      std::abort();
    }
    (void)reach_wire::address_text(p->source, p->v6);
    payload = p->payload;
  }
  for (std::string_view id : {"id", "AbCdEfGhIjKlMnOpQrStUv"}) {
    auto nonce = breakwater::probe::find_reach_nonce(payload, id);
    if (nonce && !breakwater::probe::is_reach_nonce(*nonce)) std::abort();
  }
  return 0;
}
