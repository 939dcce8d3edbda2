// One probe kind behind a small interface (as in zmap): the TCP connect prober probes real
// targets; the fake target answers from a script, in virtual time, for logic tests.
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/error.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>

namespace breakwater::probe {

struct probe_outcome {
  enum class kind {
    answered,   // `why` says how; rtt measured
    silent,     // nothing came back before the timeout
    failed,     // this host could not send the probe: see `error`
    cancelled,  // the scan was cancelled while the probe was out
  };
  kind what = kind::silent;
  reason why = reason::no_response;
  std::optional<icmp_info> icmp;
  duration rtt{};
  failure error;
  bool transient = false;  // with failed: out of sockets or buffers, worth trying again later
  transport proto = transport::tcp;
  std::optional<udp_answer> udp{};  // with reason::udp_answer

  port_state state(bool v6 = false) const noexcept {
    if (what != kind::answered) return port_state::stealth;
    if (why == reason::syn_ack || why == reason::udp_answer) return port_state::open;
    // A UDP port the host itself calls unreachable is closed; any other unreachable is a
    // firewall's or a router's word, not the port's.
    if (proto == transport::udp && why == reason::icmp_unreachable &&
        !(icmp && is_port_unreachable(*icmp, v6) && icmp->from.is_unspecified())) {
      return port_state::filtered;
    }
    return port_state::closed;
  }
};

class prober {
 public:
  virtual ~prober() = default;
  // One try at one port; completes by `timeout` at the latest. Honours Asio cancellation
  // (terminal) of the awaiting coroutine.
  virtual boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target,
                                                      std::uint16_t port, duration timeout) = 0;
};

}  // namespace breakwater::probe
