#include "probe/engine.hpp"

#include "common/ip.hpp"

#include "probe/detail/engine_state.hpp"
#include "probe/detail/fd_limit.hpp"
#include "probe/detail/scan_run.hpp"
#include "probe/probers/tcp_connect_prober.hpp"
#include "probe/probers/udp_prober.hpp"

#include <boost/asio/post.hpp>
#include <boost/throw_exception.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace breakwater::probe {
namespace {

namespace asio = boost::asio;

// Descriptors kept back for everything else the process does (logs, clients, the database).
constexpr std::size_t reserved_fds = 256;
// At most one descriptor in this many of the rest is held by lingering tries.
constexpr std::size_t lingering_share = 4;

bool probeable(const asio::ip::address& a) {
  if (a.is_unspecified() || a.is_multicast()) return false;
  if (a.is_v4()) return a.to_v4() != asio::ip::address_v4::broadcast();
  return !a.to_v6().is_v4_mapped();
}

}  // namespace

engine::engine(asio::any_io_executor ex, engine_options options)
    : state_(std::make_shared<state>()) {
  if (!options.backend) options.backend = std::make_shared<tcp_connect_prober>();
  if (!options.udp_backend) options.udp_backend = std::make_shared<udp_prober>();
  std::size_t fds = raise_fd_limit();
  std::size_t room = fds > reserved_fds * 2 ? fds - reserved_fds : fds / 2;
  // Tries that linger on a socket of their own (UDP's) hold it past their ends: a share of
  // the room is theirs, and the tries in flight have the rest.
  room -= std::min(room, options.backend->limit_lingering_descriptors(room / lingering_share));
  const std::size_t udp_lingering =
      std::min(room, options.udp_backend->limit_lingering_descriptors(room / lingering_share));
  room -= udp_lingering;
  state_->udp_lingering_sockets = udp_lingering;
  options.max_in_flight =
      std::clamp<std::size_t>(options.max_in_flight, 1, std::max<std::size_t>(room, 1));
  state_->ex = std::move(ex);
  state_->pace = pacer(options.max_rate, 32);
  state_->options = std::move(options);
}

engine::~engine() = default;

std::optional<icmp_bucket> engine::icmp_history(const asio::ip::address& target) const {
  auto it = state_->icmp_history.find(target);
  if (it == state_->icmp_history.end() || it->second.full_at < clock::now()) return std::nullopt;
  return it->second.bucket;
}

void engine::set_icmp_history(const asio::ip::address& target, icmp_bucket bucket) {
  state_->remember_icmp(target, bucket, icmp_limit{});
}

std::size_t engine::in_flight() const noexcept { return state_->in_flight; }
std::size_t engine::active_scans() const noexcept { return state_->scans; }
std::size_t engine::max_in_flight() const noexcept { return state_->options.max_in_flight; }

std::size_t scan_in_flight_cap(const scan_options& o) noexcept {
  if (o.max_in_flight > 0) return o.max_in_flight;
  if (o.rate <= 0) return min_scan_in_flight;
  double keep_rate = o.rate * std::chrono::duration<double>(o.rto.initial).count() * 2;
  if (keep_rate >= 1e9) return 1'000'000'000;
  return std::max(min_scan_in_flight, static_cast<std::size_t>(std::ceil(keep_rate)));
}

asio::awaitable<boost::system::result<scan_result, failure>> engine::scan(scan_request request) {
  request.target = common::unmapped(request.target);
  if (!probeable(request.target)) {
    co_return failure{make_error_code(errc::bad_target), operation::none,
                      request.target.to_string()};
  }
  request.options.tries = std::clamp(request.options.tries, 1u, 10u);
  auto run = std::make_shared<scan_run>(state_, std::move(request));
  std::stop_token stop = run->stop_token_for_callback();
  // A stop may be requested from any thread: hand it to the executor.
  std::stop_callback on_stop(stop,
                             [run, ex = state_->ex] { asio::post(ex, [run] { run->stop(); }); });
  co_return co_await run->run();
}

void throw_exception_from_error(const failure& f, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(f.message()), loc);
}

}  // namespace breakwater::probe
