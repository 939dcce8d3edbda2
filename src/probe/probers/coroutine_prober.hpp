// A prober written as one coroutine per try, for probe kinds that need a socket and a timer
// of their own per try anyway (connect(), UDP) and for the tests' fake target: each try runs
// as its own coroutine, bound to a cancellation signal that cancel() emits.
#pragma once

#include "probe/prober.hpp"

#include <boost/asio/cancellation_signal.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace breakwater::probe {

class coroutine_prober : public prober, public std::enable_shared_from_this<coroutine_prober> {
 public:
  // The prober must be owned by a shared_ptr: a cancelled try's coroutine may end after the
  // scan that started it, and holds the prober until then.
  probe_handle start(const probe_try& t, probe_sink& sink) final;
  void cancel(probe_handle h) noexcept final;

  // One try at one port; completes by `timeout` at the latest. Honours Asio cancellation
  // (terminal) of the awaiting coroutine.
  virtual boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target,
                                                      std::uint16_t port, duration timeout) = 0;
  // The same for a try that lingers (probe_try::linger), where lingers() says so: still out at
  // `timeout`, it calls `at_timeout` (the try is reported silent then) and may complete with
  // an answer up to `heard_until` (reported late). Here: probe().
  virtual boost::asio::awaitable<probe_outcome> probe_until(boost::asio::ip::address target,
                                                            std::uint16_t port, duration timeout,
                                                            duration heard_until,
                                                            std::function<void()> at_timeout);

 private:
  struct running {
    boost::asio::cancellation_signal cancel;
    std::uint32_t generation = 0;
    bool wanted = false;       // false once cancelled: the outcome goes nowhere
    bool told_silent = false;  // lingering: reported silent at its timeout
  };
  void end(std::uint32_t slot, probe_sink& sink, probe_tag tag, const probe_outcome& o);

  std::deque<running> tries_;  // a signal stays put while its coroutine holds its slot
  std::vector<std::uint32_t> free_;
};

}  // namespace breakwater::probe
