// UDP probes: the port's protocol request (probe/wire/udp), and what came back: an answer
// (open), the host's port-unreachable (closed), another ICMP unreachable (filtered), or
// nothing by the timeout (silent: stealth, or a service that stays silent).
#pragma once

#include "probe/probers/coroutine_prober.hpp"

#include <atomic>
#include <cstddef>
#include <functional>

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
  // Tries heard past their timeouts at once (probe_try::linger): each keeps its socket open
  // until its answer or the linger's end; a try past the bound ends at its timeout. The engine
  // may lower it to fit its descriptors (limit_lingering_descriptors).
  std::size_t max_lingering = 4096;
};

class udp_prober final : public coroutine_prober {
 public:
  explicit udp_prober(udp_prober_options options = {})
      : options_(options), max_lingering_(options.max_lingering) {}
  boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target, std::uint16_t port,
                                              duration timeout) override;
  // A late answer (a datagram, or an ICMP error the path held back) is the try's own: it comes
  // to the try's own socket, from the target's port.
  boost::asio::awaitable<probe_outcome> probe_until(boost::asio::ip::address target,
                                                    std::uint16_t port, duration timeout,
                                                    duration heard_until,
                                                    std::function<void()> at_timeout) override;
  bool lingers() const noexcept override { return max_lingering_ > 0; }
  std::size_t limit_lingering_descriptors(std::size_t at_most) noexcept override;
  std::size_t max_lingering() const noexcept { return max_lingering_; }
  std::size_t lingering() const noexcept { return lingering_.load(std::memory_order_relaxed); }

 private:
  // Takes one of the max_lingering_ places; false when none is left.
  bool take_lingering_place() noexcept;

  udp_prober_options options_;
  std::atomic<std::size_t> kept_bytes_{0};  // kept by the tries now out
  std::size_t max_lingering_;
  std::atomic<std::size_t> lingering_{0};  // tries now past their timeouts, sockets open
};

}  // namespace breakwater::probe
