#include "support/fake_target.hpp"

#include "probe/detail/timer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>

namespace breakwater::probe {

namespace asio = boost::asio;

fake_target::fake_target(fake_target_options options)
    : options_(options),
      rng_(options.seed),
      tokens_(options.icmp_burst),
      global_tokens_(options.icmp_global_burst) {}

fake_port fake_target::behaviour(std::uint16_t port) const {
  auto it = ports_.find(port);
  return it == ports_.end() ? options_.other_ports : it->second;
}

std::size_t fake_target::probes_of(std::uint16_t port) const {
  auto it = per_port_.find(port);
  return it == per_port_.end() ? 0 : it->second;
}

bool fake_target::lost() {
  return options_.loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < options_.loss;
}

duration fake_target::one_way() {
  duration base = options_.rtt / 2;
  if (options_.jitter <= duration::zero()) return base;
  auto j = std::uniform_int_distribution<duration::rep>(-options_.jitter.count(),
                                                        options_.jitter.count())(rng_);
  return std::max(duration::zero(), base + duration(j));
}

time_point fake_target::past_stalls(time_point due) const {
  if (send_times_.empty()) return due;
  for (auto [from, length] : options_.stalls) {
    time_point begin = send_times_.front() + from;
    if (due >= begin && due < begin + length) due = begin + length;
  }
  return due;
}

// The global limiter: it refills at its rate and other peers' errors (a steady stream) take
// from it at theirs; so between two of our errors it changes by the difference, within
// [0, burst]. Takes our token when there is one.
bool fake_target::global_allows(time_point at) {
  if (options_.icmp_global_refill <= duration::zero()) return true;
  if (global_at_ != time_point{} && at > global_at_) {
    double dt = std::chrono::duration<double>(at - global_at_).count();
    double rate = 1.0 / std::chrono::duration<double>(options_.icmp_global_refill).count();
    global_tokens_ = std::clamp(global_tokens_ + dt * (rate - options_.icmp_others), 0.0,
                                options_.icmp_global_burst);
  }
  global_at_ = std::max(global_at_, at);
  return global_tokens_ >= 1.0;
}

// Linux's per-destination limiter (inet_peer_xrlim_allow): tokens grow with time, capped.
// With a global limit too, an error needs a token of both and takes one of each (Linux 6.x
// checks the global limit first and charges it only when the peer's allows too).
bool fake_target::icmp_allowed(time_point at) {
  bool global = global_allows(at);
  if (options_.icmp_rate_limit) {
    if (tokens_at_ != time_point{} && at > tokens_at_) {
      tokens_ += std::chrono::duration<double>(at - tokens_at_) /
                 std::chrono::duration<double>(options_.icmp_refill);
      tokens_ = std::min(tokens_, options_.icmp_burst);
    }
    tokens_at_ = std::max(tokens_at_, at);
  }
  bool peer = !options_.icmp_rate_limit || tokens_ >= 1.0;
  if (global && peer) {
    if (options_.icmp_rate_limit) tokens_ -= 1.0;
    if (options_.icmp_global_refill > duration::zero()) global_tokens_ -= 1.0;
    return true;
  }
  ++suppressed_;
  return false;
}

asio::awaitable<probe_outcome> fake_target::probe(asio::ip::address target, std::uint16_t port,
                                                  duration timeout) {
  return probe_until(target, port, timeout, timeout, {});
}

asio::awaitable<probe_outcome> fake_target::probe_until(asio::ip::address, std::uint16_t port,
                                                        duration timeout, duration heard_until,
                                                        std::function<void()> at_timeout) {
  if (options_.send_gap > duration::zero() && clock::virtual_time()) {
    clock::advance(options_.send_gap);
  }
  time_point start = clock::now();
  send_times_.push_back(start);
  first_sent_.emplace(port, start);
  const std::size_t nth = ++per_port_[port];  // this probe's number among its port's
  max_in_flight_ = std::max(max_in_flight_, ++in_flight_);

  probe_outcome o;
  std::optional<duration> answer_after;
  time_point arrives = past_stalls(start + one_way());
  auto scripted = lose_first_.find(port);
  bool scripted_loss =
      (scripted != lose_first_.end() && nth <= scripted->second) || lose_nth_.contains({port, nth});
  bool error_drawn = false;  // an ICMP error left the target, whether it arrives or not
  bool suppressed = false;
  const bool lost_out = scripted_loss || lost();
  const bool refuses = behaviour(port) == fake_port::icmp_port_unreachable ||
                       behaviour(port) == fake_port::icmp_admin_prohibited;
  // A try cancelled while its probe travels is still judged there (the probe is on the
  // wire), and then ends without another wait (a cancelled coroutine's next wait throws).
  bool cancelled_on_the_way = false;
  if (!lost_out && refuses && options_.limit_at_arrival) {
    timer arrival(co_await asio::this_coro::executor);
    arrival.expires_at(arrives);
    auto [ec] = co_await arrival.async_wait(asio::as_tuple(asio::use_awaitable));
    cancelled_on_the_way = ec == asio::error::operation_aborted;
  }
  if (!lost_out) {
    switch (behaviour(port)) {
      case fake_port::open:
        o.why = reason::syn_ack;
        if (lose_first_syn_ack_.contains(port)) {
          // The first SYN to arrive is held half-open, its SYN-ACK lost; later ones draw an ACK.
          o.why = half_open_.insert(port).second ? reason::no_response : reason::ack;
          o.timed = o.why != reason::ack;
        }
        break;
      case fake_port::reset: o.why = reason::rst; break;
      case fake_port::icmp_port_unreachable:
      case fake_port::icmp_admin_prohibited:
        o.why = icmp_allowed(arrives) ? reason::icmp_unreachable : reason::no_response;
        error_drawn = o.why == reason::icmp_unreachable;
        suppressed = !error_drawn;
        if (o.why == reason::icmp_unreachable &&
            lose_error_nth_.contains({port, ++errors_of_[port]})) {
          o.why = reason::no_response;  // drawn, so its token is spent, but never arrives
        }
        o.icmp = icmp_info{
            3,
            static_cast<std::uint8_t>(behaviour(port) == fake_port::icmp_port_unreachable ? 3 : 13),
            options_.icmp_from};
        break;
      case fake_port::drop: o.why = reason::no_response; break;
    }
    if (o.why != reason::no_response && !lost()) {
      answer_after = past_stalls(arrives + one_way()) - start;
      if (auto d = delay_nth_.find({port, nth}); d != delay_nth_.end()) {
        *answer_after += d->second;
      }
    }
  }

  timer t(co_await asio::this_coro::executor);
  bool answered = answer_after && *answer_after <= heard_until;
  if (error_drawn && answered) {
    errored_.insert(port);
  } else if (error_drawn && !errored_.contains(port)) {
    ++errors_lost_before_first_;  // lost on the way back, or back after the try's timeout
  }
  if (on_probe_) {
    const bool due_back = error_drawn || (o.why != reason::no_response && !lost_out);
    on_probe_({start, port, behaviour(port), lost_out, error_drawn, suppressed,
               due_back && !answered, tokens_});
  }
  if (cancelled_on_the_way) {
    --in_flight_;
    o.what = probe_outcome::kind::cancelled;
    co_return o;
  }
  const bool late = answered && *answer_after > timeout;
  t.expires_at(start + (answered && !late ? *answer_after : timeout));
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (late && !ec) {
    at_timeout();  // taken for silent; the answer comes later
    t.expires_at(start + *answer_after);
    std::tie(ec) = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  --in_flight_;
  if (ec == asio::error::operation_aborted) {
    o.what = probe_outcome::kind::cancelled;
    co_return o;
  }
  if (!answered) {
    co_return probe_outcome{};
  }
  o.what = probe_outcome::kind::answered;
  o.rtt = clock::now() - start;
  if (o.why != reason::icmp_unreachable) o.icmp.reset();
  co_return o;
}

namespace {

class udp_adapter final : public coroutine_prober {
 public:
  explicit udp_adapter(std::shared_ptr<fake_target> t) : target_(std::move(t)) {}

  asio::awaitable<probe_outcome> probe(asio::ip::address target, std::uint16_t port,
                                       duration timeout) override {
    co_return as_udp(co_await target_->probe(target, port, timeout));
  }
  // Heard past the timeout, as udp_prober's tries are.
  asio::awaitable<probe_outcome> probe_until(asio::ip::address target, std::uint16_t port,
                                             duration timeout, duration heard_until,
                                             std::function<void()> at_timeout) override {
    co_return as_udp(
        co_await target_->probe_until(target, port, timeout, heard_until, std::move(at_timeout)));
  }
  bool lingers() const noexcept override { return true; }

 private:
  static probe_outcome as_udp(probe_outcome o) {
    o.proto = transport::udp;
    if (o.what == probe_outcome::kind::answered && o.why == reason::syn_ack) {
      o.why = reason::udp_answer;
      o.udp = udp_answer{"generic", 2, 10, 1, "0123456789", "an answer of 10 bytes", ""};
    }
    if (o.what == probe_outcome::kind::answered && o.why == reason::rst) {
      o.why = reason::no_response;  // UDP has no reset: the fake's "reset" ports stay silent
      o.what = probe_outcome::kind::silent;
    }
    return o;
  }

  std::shared_ptr<fake_target> target_;
};

// The target's tries, heard past their timeouts (coroutine_prober::probe_until).
class lingering_adapter final : public coroutine_prober {
 public:
  explicit lingering_adapter(std::shared_ptr<fake_target> t) : target_(std::move(t)) {}

  asio::awaitable<probe_outcome> probe(asio::ip::address target, std::uint16_t port,
                                       duration timeout) override {
    return target_->probe(target, port, timeout);
  }
  asio::awaitable<probe_outcome> probe_until(asio::ip::address target, std::uint16_t port,
                                             duration timeout, duration heard_until,
                                             std::function<void()> at_timeout) override {
    return target_->probe_until(target, port, timeout, heard_until, std::move(at_timeout));
  }
  bool lingers() const noexcept override { return true; }

 private:
  std::shared_ptr<fake_target> target_;
};

}  // namespace

std::shared_ptr<prober> lingering_view(std::shared_ptr<fake_target> target) {
  return std::make_shared<lingering_adapter>(std::move(target));
}

std::shared_ptr<prober> udp_view(std::shared_ptr<fake_target> target) {
  return std::make_shared<udp_adapter>(std::move(target));
}

}  // namespace breakwater::probe
