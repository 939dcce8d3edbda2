// One probe kind behind a small interface (as in zmap): send a try, hear back how it ended.
// The raw-SYN prober sends from one socket and matches answers to tries itself; the
// connect() and UDP probers, and the tests' fake target, are written as one coroutine per
// try (probe/probers/coroutine_prober).
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/error.hpp"
#include "probe/verdict.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <cstddef>
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
  // With answered: `rtt` is this try's round trip. False when the answer may be another
  // SYN's: an earlier try's (see probe_try::earlier), or connect()'s own resend (below).
  bool timed = true;
  // With answered and not timed, from a prober whose kernel sends a SYN again on its own
  // (connect()): how long after the try's start the last SYN before the answer left. The
  // answer may be that SYN's, so the scan books an ICMP error there (zero: at the try).
  duration resent_after{};
  failure error;
  bool transient = false;  // with failed: out of sockets or buffers, worth trying again later
  // With silent: the prober still hears the try (probe_try::linger), and may report its
  // answer late. A try asked to linger that could not (a prober's bound on what lingering
  // tries hold) is silent without it, and over.
  bool still_heard = false;
  transport proto = transport::tcp;
  std::optional<udp_answer> udp{};  // with reason::udp_answer

  port_state state(bool v6 = false) const noexcept {
    if (what != kind::answered) return port_state::stealth;
    if (why == reason::syn_ack || why == reason::ack || why == reason::udp_answer) {
      return port_state::open;
    }
    // A UDP port the host itself calls unreachable is closed; any other unreachable is a
    // firewall's or a router's word, not the port's.
    if (proto == transport::udp && why == reason::icmp_unreachable &&
        !(icmp && is_port_unreachable(*icmp, v6) && icmp->from.is_unspecified())) {
      return port_state::filtered;
    }
    return port_state::closed;
  }
};

// TCP sends a SYN or SYN-ACK that went unanswered again after its initial retransmission
// timeout, 1 s (RFC 6298 2.1; Linux's TCP_TIMEOUT_INIT, and the SYN-ACK's too). An answer
// that may answer a segment sent again times no round trip (Karn's rule), and shows that
// the path most likely lost the first: connect()'s own resend (its prober marks it), or a
// SYN-ACK the target sent again (the scan tells it by the path's fastest round trip).
inline constexpr duration tcp_first_resend = std::chrono::seconds(1);

// The sink's name for a try, handed back with its outcome.
using probe_tag = std::uint64_t;
// The prober's name for a try, for cancel().
using probe_handle = std::uint64_t;

// Where a prober reports how its tries ended: a scan.
class probe_sink {
 public:
  // Once per try (answered, silent, failed), on executor(), never from inside prober::start
  // or prober::cancel, and never after the try was cancelled.
  virtual void finished(probe_tag tag, const probe_outcome& o) = 0;
  // An answer to a try that finished() called silent, heard within its probe_try::linger:
  // once at most, on executor(), never after the try was cancelled. Probers that cannot hear
  // a try past its timeout never call it.
  virtual void late(probe_tag /*tag*/, const probe_outcome& /*o*/) {}
  // The executor the sink runs on; a prober's work for the sink's tries runs there too.
  virtual const boost::asio::any_io_executor& executor() const noexcept = 0;

 protected:
  ~probe_sink() = default;
};

struct probe_try {
  boost::asio::ip::address target;
  std::uint16_t port = 0;
  duration timeout{};  // the try reports by then at the latest
  probe_tag tag = 0;
  // The scan that sends the try (0: none, a try on its own) and how many tries of this port
  // it started before this one. A prober may take a late answer to one of those as this
  // try's (the raw-SYN prober does: a SYN-ACK sent again, or the bare ACK of a port that
  // holds an earlier SYN half-open). A scan's series is never reused while the prober lives.
  std::uint64_t series = 0;
  std::uint32_t earlier = 0;
  // How long after its timeout the try is still heard (zero: not at all). An answer then is
  // late (probe_sink::late); the handle stays cancellable until the linger ends. A path whose
  // delay jumps for a moment (a queue filling somewhere) brings answers after any timeout
  // fitted to its usual round trip, and an ICMP error among them has spent the target's token
  // all the same.
  duration linger{};
};

class prober {
 public:
  virtual ~prober() = default;
  // Sends one try at one port; its outcome goes to `sink.finished(t.tag, ...)` later. A try
  // that cannot be sent reports a failure the same way.
  virtual probe_handle start(const probe_try& t, probe_sink& sink) = 0;
  // The sink no longer waits for this try (its scan stopped, or it cut the try short): it
  // reports nothing more, a late answer included. Does nothing for a try that has already
  // reported and no longer lingers.
  virtual void cancel(probe_handle h) noexcept = 0;
  // Whether this prober hears a try past its timeout when asked (probe_try::linger).
  virtual bool lingers() const noexcept { return false; }
  // Bounds the descriptors its lingering tries hold at once (a socket each, for a prober that
  // needs one per try) to `at_most`, and returns the bound it keeps: 0 where they hold none.
  // A try past the bound ends at its timeout, unheard after it. The engine sets the bound
  // once, and keeps that many descriptors out of the room for tries in flight.
  virtual std::size_t limit_lingering_descriptors(std::size_t /*at_most*/) noexcept { return 0; }
};

// One try, awaited (single checks, tests). Honours Asio cancellation (terminal): the try is
// cancelled and the outcome says so.
boost::asio::awaitable<probe_outcome> probe_once(prober& p, boost::asio::ip::address target,
                                                 std::uint16_t port, duration timeout);

}  // namespace breakwater::probe
