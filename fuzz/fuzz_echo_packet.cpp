// libFuzzer target for ping's parsers: the first byte picks the parser and the family, the
// rest is the ICMP message. Never crashes or reads out of bounds, and a reply that counts
// carries the run's whole cookie.
#include "probe/wire/echo_packet.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace echo = breakwater::probe::echo;
  if (size == 0) return 0;
  std::span<const std::uint8_t> message(data + 1, size - 1);
  bool v6 = (data[0] & 1) != 0;
  echo::run_fields run;
  run.v6 = v6;
  run.id = 0x1234;
  run.first_seq = 0xfffe;
  run.data.fill(0x5a);
  switch (data[0] >> 1 & 3) {
    case 0: {
      auto r = echo::parse_reply(message, v6);
      if (!r) break;
      if (auto i = echo::answered_index(*r, run, 3, true)) {
        if (*i >= 3 || r->data.size() < echo::cookie_size ||
            !std::equal(run.data.begin(), run.data.end(), r->data.begin())) {
          std::abort();
        }
      }
      break;
    }
    case 1: {
      auto q = echo::parse_unreachable(message, v6);
      if (q && q->target.v6 != v6) std::abort();
      if (q) (void)echo::quoted_index(*q, q->target, run, 3, true);
      break;
    }
    default: (void)echo::parse_request(message, v6); break;
  }
  return 0;
}
