// The privileged backend (nmap's -sS, zmap): SYNs sent from one raw socket per address family
// and one reserved source port, answers read back from raw TCP and ICMP sockets. No descriptor
// and no handshake per probe; the kernel resets the open ports' SYN-ACKs for us. No coroutine,
// timer or allocation per try either: tries wait in reused slots, their timeouts in one heap
// behind one timer, and SYNs and answers go in batches (sendmmsg, recvmmsg).
#pragma once

#include "probe/prober.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <memory>

namespace breakwater::probe {

namespace raw_syn_detail {
struct state;  // detail/raw_syn_state.hpp
}

class raw_syn_prober final : public prober {
 public:
  // Opens the sockets on `ex`. Fails with errc::no_permission without root or CAP_NET_RAW.
  // Use from `ex`'s thread only (the engine's).
  static boost::system::result<std::shared_ptr<raw_syn_prober>, failure> open(
      boost::asio::any_io_executor ex);
  ~raw_syn_prober() override;
  raw_syn_prober(const raw_syn_prober&) = delete;
  raw_syn_prober& operator=(const raw_syn_prober&) = delete;

  probe_handle start(const probe_try& t, probe_sink& sink) override;
  void cancel(probe_handle h) noexcept override;
  // An answer quotes or acknowledges the very SYN it answers, so one after the timeout is
  // still told apart: it is heard while the try lingers.
  bool lingers() const noexcept override { return true; }

  using state = raw_syn_detail::state;
  explicit raw_syn_prober(std::shared_ptr<state> s) : state_(std::move(s)) {}

 private:
  std::shared_ptr<state> state_;
};

}  // namespace breakwater::probe
