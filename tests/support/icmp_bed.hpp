// Issue 17's test bed in virtual time: the ports of bench/compare_nmap.sh's "icmp" scenario and
// the bound the target's ICMP limit sets. Shared by the shape tests and bench/icmp_sweep.cpp.
#pragma once

#include "probe/engine.hpp"
#include "support/fake_target.hpp"
#include "support/virtual_time.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

namespace breakwater::probe::testing {

// 4 open, 160 resets, 17 ICMP errors (8 admin-prohibited, 9 port-unreachable), the rest of
// 0-1055 dropped.
inline void bed_ports(fake_target& t) {
  for (std::uint16_t p : std::initializer_list<std::uint16_t>{22, 80, 443, 993}) {
    t.set(p, fake_port::open);
  }
  for (std::uint16_t p = 100; p < 260; ++p) t.set(p, fake_port::reset);
  for (std::uint16_t p :
       std::initializer_list<std::uint16_t>{445, 500, 600, 650, 700, 750, 800, 900}) {
    t.set(p, fake_port::icmp_admin_prohibited);
  }
  for (std::uint16_t p :
       std::initializer_list<std::uint16_t>{20, 21, 23, 25, 300, 310, 320, 330, 1000}) {
    t.set(p, fake_port::icmp_port_unreachable);
  }
}
inline constexpr unsigned bed_refusing_ports = 17;

// The bound: (errors owed - burst) / refill + 4 round trips, in seconds.
inline double bound_s(double errors, double burst, duration refill, duration rtt) {
  return std::max(0.0, errors - burst) * std::chrono::duration<double>(refill).count() +
         4 * std::chrono::duration<double>(rtt).count();
}

// A scan of a fake target, judged against what the target does.
struct outcome {
  std::size_t wrong = 0;              // a verdict the target's behaviour contradicts
  std::size_t unresolved = 0;         // stealth, said to be unsure
  std::size_t unresolved_closed = 0;  // of which the port was closed
  double seconds = 0;
  double tries_per_port = 0;
  std::optional<scan_result::icmp_limit_seen> limit;  // as the scan last modelled it
};

inline outcome score(const scan_result& res, const fake_target& target) {
  outcome out;
  unsigned tries = 0;
  std::vector<port_result> all = res.ports;
  all.insert(all.end(), res.udp.begin(), res.udp.end());
  for (const auto& p : all) {
    port_state want = port_state::closed;
    const fake_port b = target.behaviour(p.port);
    if (b == fake_port::open) want = port_state::open;
    if (b == fake_port::drop) want = port_state::stealth;
    // Over UDP an unreachable other than the port's is a filter (probe_outcome::state).
    if (p.proto == transport::udp && b == fake_port::icmp_admin_prohibited) {
      want = port_state::filtered;
    }
    if (p.rate_limit == recheck::unresolved) {
      ++out.unresolved;
      if (p.state != want) ++out.unresolved_closed;
    } else if (p.state != want) {
      ++out.wrong;
    }
    tries += p.tries;
  }
  out.seconds = std::chrono::duration<double>(res.elapsed).count();
  if (!all.empty()) {
    out.tries_per_port = static_cast<double>(tries) / static_cast<double>(all.size());
  }
  out.limit = res.icmp_limit;
  return out;
}

enum class bed_transport { tcp, udp };

// Scans `ports` of `target` (at 198.18.0.2) in virtual time (a virtual_time must be alive) and
// judges the verdicts; nothing when the scan failed. Through a prober that hears late answers
// (lingering_view), as the raw prober does, unless `heard_late` is false; over UDP, through
// udp_view (which hears them too, as udp_prober does).
inline std::optional<outcome> scan_fake(boost::asio::io_context& ctx,
                                        std::shared_ptr<fake_target> target, scan_options o,
                                        const char* ports = "0-1055", bool heard_late = true,
                                        bed_transport over = bed_transport::tcp) {
  engine e(ctx.get_executor(),
           {.backend = heard_late ? lingering_view(target) : std::shared_ptr<prober>(target),
            .udp_backend = udp_view(target)});
  scan_request r;
  r.target = boost::asio::ip::make_address("198.18.0.2");
  (over == bed_transport::udp ? r.udp_ports : r.ports) = *parse_port_set(ports);
  r.options = o;
  auto res = run_virtual(ctx, e.scan(std::move(r)));
  if (!res) return std::nullopt;
  return score(*res, *target);
}

}  // namespace breakwater::probe::testing
