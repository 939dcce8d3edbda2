// UDP probes: the port's protocol request (probe/wire/udp), and what came back: an answer
// (open), the host's port-unreachable (closed), another ICMP unreachable (filtered), or
// nothing by the timeout (silent: stealth, or a service that stays silent).
#pragma once

#include "probe/probers/coroutine_prober.hpp"

#include <atomic>
#include <cstddef>

namespace breakwater::probe {

struct udp_prober_options {
  // After the first datagram, how long to go on counting the rest of the answer (monlist and
  // chargen-like answers come in several): twice the first answer's round trip, within these.
  duration gather_min = std::chrono::milliseconds(20);
  duration gather_max = std::chrono::milliseconds(250);
  unsigned max_datagrams = 256;  // counted at most; the rest of a flood is not read
  // Answer bytes kept for the protocol readers by all tries at once (each keeps at most
  // 64 KiB); past it answers are only counted. A scan has thousands of tries out, and what
  // comes back is the visitor's to choose.
  std::size_t max_kept_bytes = std::size_t{16} << 20;
};

class udp_prober final : public coroutine_prober {
 public:
  explicit udp_prober(udp_prober_options options = {}) : options_(options) {}
  boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target, std::uint16_t port,
                                              duration timeout) override;

 private:
  udp_prober_options options_;
  std::atomic<std::size_t> kept_bytes_{0};  // kept by the tries now out
};

}  // namespace breakwater::probe
