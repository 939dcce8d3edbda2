#include "probe/prober.hpp"

#include "probe/detail/timer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;

// Holds the one outcome; the awaiting coroutine sleeps on `done` until it comes.
class one_try_sink final : public probe_sink {
 public:
  explicit one_try_sink(asio::any_io_executor ex) : ex_(std::move(ex)), done_(ex_) {
    done_.expires_after(std::chrono::hours(24 * 365));
  }

  void finished(probe_tag, const probe_outcome& o) override {
    outcome_ = o;
    done_.cancel();
  }
  const asio::any_io_executor& executor() const noexcept override { return ex_; }

  asio::awaitable<void> wait() { co_await done_.async_wait(asio::as_tuple(asio::use_awaitable)); }
  const std::optional<probe_outcome>& outcome() const noexcept { return outcome_; }

 private:
  asio::any_io_executor ex_;
  timer done_;
  std::optional<probe_outcome> outcome_;
};

}  // namespace

asio::awaitable<probe_outcome> probe_once(prober& p, asio::ip::address target, std::uint16_t port,
                                          duration timeout) {
  one_try_sink sink(co_await asio::this_coro::executor);
  probe_handle h = p.start({target, port, timeout, 0}, sink);
  co_await sink.wait();
  if (sink.outcome()) co_return *sink.outcome();
  p.cancel(h);  // the awaiting coroutine was cancelled
  probe_outcome o;
  o.what = probe_outcome::kind::cancelled;
  co_return o;
}

}  // namespace breakwater::probe
