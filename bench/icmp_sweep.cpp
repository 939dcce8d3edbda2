// Issue 17's bed in virtual time over many seeds: how often a scan of a target that limits its
// ICMP errors like Linux (a burst of 6, then one a second) ends within 1.25 times the bound
// that limit sets, and why the others do not. No packets: the target is tests/support's
// fake_target, the clock virtual, so a hundred 14-second scans take about ten seconds.
//
// Each run's bound is the issue's, (17 - 6) x 1 s + 4 x 50 ms = 11.2 s, and also that bound
// with the errors the target sent that were lost on the way back before their port had shown
// an error: a token spent that no scanner sees, and must spend again (the "spent" bound).
//
// --exact-times runs the virtual clock to each timer's exact expiry rather than in whole
// milliseconds (tests/support/virtual_time.hpp): closer to a real clock, other runs.
//
// --trace S prints what the target made of each probe of seed S's scan, as that scan runs in
// the sweep (a scan's timing depends on where the clock stood when it began, so a seed traced
// alone may run otherwise): the time from its first probe, the port, what the port does, and
// what became of the probe and its answer, with the limiter's tokens after an ICMP port's.
//
// --stalls N holds every packet on the path N times during each scan, 250 to 450 ms each (a
// queue filling somewhere), spread over its first 12 s: answers come after their tries'
// timeouts. The scanner hears them late, as the raw prober does (probe_try::linger); with
// --unheard it does not, as before it could.
//
// --jitter MS varies each packet's delay by up to MS either way, as tests/e2e's relay does:
// probes sent a few milliseconds apart may reach the target in the other order, and its
// limiter takes their tokens in the order they arrive. Tries then leave 20 us apart, as on a
// real host, rather than at one virtual moment.
//
// --udp N scans a UDP bed instead: N ports (2000 up), each refused with a port unreachable,
// and nothing else, as tests/e2e's visitor is to a UDP scan of closed ports. Every verdict
// then rests on the target's ICMP limit, and no answer shows the path's loss.
//
//   bw_icmp_sweep [--seeds 100] [--first 1] [--loss 0.01] [--unseeded] [--exact-times] [--runs]
//                 [--trace S] [--stalls N [--unheard]] [--udp N] [--jitter MS]
#include "support/icmp_bed.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace {

using namespace breakwater::probe;
using namespace std::chrono_literals;
namespace t = breakwater::probe::testing;

const char* name_of(fake_port p) {
  switch (p) {
    case fake_port::open: return "open";
    case fake_port::reset: return "reset";
    case fake_port::icmp_port_unreachable:
    case fake_port::icmp_admin_prohibited: return "icmp";
    case fake_port::drop: return "drop";
  }
  return "?";
}

// One line per probe; nothing of it is random, so two runs print the same.
void trace(fake_target& target) {
  auto first = std::make_shared<std::optional<time_point>>();
  target.on_probe([first](const fake_probe_event& e) {
    if (!*first) *first = e.sent;
    const bool icmp = e.behaviour == fake_port::icmp_port_unreachable ||
                      e.behaviour == fake_port::icmp_admin_prohibited;
    std::string what = e.lost_out                       ? "lost on the way"
                       : e.error_drawn                  ? "error"
                       : e.suppressed                   ? "error suppressed"
                       : e.behaviour == fake_port::drop ? "dropped"
                                                        : "answer";
    if (e.lost_back) what += ", lost on the way back";
    fmt::print("trace {:9.3f} {:5} {:5} {}",
               std::chrono::duration<double>(e.sent - **first).count(), e.port,
               name_of(e.behaviour), what);
    if (icmp && !e.lost_out) fmt::print(" (tokens left {:.2f})", e.tokens);
    fmt::print("\n");
  });
}

struct totals {
  unsigned runs = 0;
  unsigned over = 0;        // above 1.25x the bound
  unsigned over_spent = 0;  // above 1.25x the bound counting tokens spent on lost errors
  std::size_t wrong = 0;
  std::size_t unresolved = 0;
  double seconds = 0;
  double slowest = 0;
  double tries = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Issue 17's ICMP bed in virtual time, over many seeds"};
  unsigned seeds = 100;
  std::uint32_t first = 1;
  double loss = 0.01;
  bool unseeded = false;
  bool exact = false;
  bool each = false;
  std::optional<std::uint32_t> traced;
  unsigned stalls = 0;
  bool unheard = false;
  unsigned udp_ports = 0;
  unsigned jitter_ms = 0;
  app.add_option("--seeds", seeds, "how many seeds (scans)")->check(CLI::Range(1u, 100000u));
  app.add_option("--first", first, "the first seed")->check(CLI::Range(0u, 1000000000u));
  app.add_option("--loss", loss, "chance of losing each packet, each way")
      ->check(CLI::Range(0.0, 0.5));
  app.add_flag("--unseeded", unseeded, "no 50 ms RTT seed (the service always seeds it)");
  app.add_flag("--exact-times", exact, "events at their exact times, not in whole milliseconds");
  app.add_flag("--runs", each, "a line for every scan, not only the slow ones");
  app.add_option("--trace", traced, "print every probe of this seed's scan");
  app.add_option("--stalls", stalls, "times the path holds every packet, in each scan")
      ->check(CLI::Range(0u, 40u));
  app.add_flag("--unheard", unheard, "answers after a try's timeout go unheard (TCP bed only)");
  app.add_option("--jitter", jitter_ms, "each packet's delay varies by up to this, each way (ms)")
      ->check(CLI::Range(0u, 20u));
  app.add_option("--udp", udp_ports, "a UDP bed of this many closed ports instead")
      ->check(CLI::Range(1u, 1000u));
  CLI11_PARSE(app, argc, argv);

  t::virtual_time vt(exact ? t::virtual_moves::to_expiry : t::virtual_moves::in_steps);
  boost::asio::io_context ctx;
  const fake_target_options shape;  // Linux's limit, 50 ms, as the bed
  auto bound_for = [&](double errors) {
    return t::bound_s(errors, shape.icmp_burst, shape.icmp_refill, shape.rtt);
  };
  const double refusing = udp_ports > 0 ? udp_ports : t::bed_refusing_ports;
  const double bound = bound_for(refusing);
  const std::string udp_range = fmt::format("2000-{}", 2000 + udp_ports - 1);
  totals sum;
  fmt::print(
      "seed  seconds  x bound  lost errors  x spent bound  wrong  unresolved  tries a port\n");
  for (unsigned i = 0; i < seeds; ++i) {
    const std::uint32_t seed = first + i;
    fake_target_options fo = shape;
    fo.loss = loss;
    fo.seed = seed;
    fo.jitter = std::chrono::milliseconds(jitter_ms);
    if (jitter_ms > 0) {
      fo.limit_at_arrival = true;
      fo.send_gap = std::chrono::microseconds(20);
    }
    for (unsigned k = 0; k < stalls; ++k) {
      // Spread over the scan, each at its own offset for every seed.
      auto at =
          500ms + k * (12000ms / stalls) + std::chrono::milliseconds((seed * 37 + k * 101) % 300);
      fo.stalls.emplace_back(at, 250ms + std::chrono::milliseconds(((seed + k) % 3) * 100));
    }
    auto target = std::make_shared<fake_target>(fo);
    if (udp_ports > 0) {
      for (unsigned p = 0; p < udp_ports; ++p) {
        target->set(static_cast<std::uint16_t>(2000 + p), fake_port::icmp_port_unreachable);
      }
    } else {
      t::bed_ports(*target);
    }
    if (traced == seed) trace(*target);
    scan_options o;
    if (!unseeded) o.rtt_seed = 50ms;
    std::optional<t::outcome> r =
        udp_ports > 0 ? t::scan_fake(ctx, target, o, udp_range.c_str(), true, t::bed_transport::udp)
                      : t::scan_fake(ctx, target, o, "0-1055", !unheard);
    if (!r) {
      fmt::print(stderr, "seed {}: the scan failed\n", seed);
      return 1;
    }
    const std::size_t lost = target->errors_lost_before_first();
    const double spent_bound = bound_for(refusing + static_cast<double>(lost));
    const bool over = r->seconds > 1.25 * bound;
    ++sum.runs;
    sum.over += over ? 1u : 0u;
    sum.over_spent += r->seconds > 1.25 * spent_bound ? 1u : 0u;
    sum.wrong += r->wrong;
    sum.unresolved += r->unresolved;
    sum.seconds += r->seconds;
    sum.slowest = std::max(sum.slowest, r->seconds);
    sum.tries += r->tries_per_port;
    if (each || over || r->wrong > 0 || r->unresolved > 0) {
      fmt::print("{:4}  {:7.2f}  {:7.3f}  {:11}  {:13.3f}  {:5}  {:10}  {:12.2f}\n", seed,
                 r->seconds, r->seconds / bound, lost, r->seconds / spent_bound, r->wrong,
                 r->unresolved, r->tries_per_port);
      if (r->limit) {
        fmt::print("      model: burst {:.1f}, refill {:.0f} ms{}{}; unresolved closed {}\n",
                   r->limit->burst, to_ms(r->limit->refill), r->limit->learned ? ", learned" : "",
                   r->limit->tightened ? ", tightened" : "", r->unresolved_closed);
      }
    }
  }
  const double n = sum.runs;
  fmt::print(
      "{} scans at {:.0f}% loss each way: mean {:.2f} s ({:.3f}x the bound of {:.2f} s), "
      "slowest {:.2f} s; above 1.25x: {} (counting lost errors' tokens: {}); wrong verdicts "
      "{}, unresolved {}; {:.2f} tries a port\n",
      sum.runs, loss * 100, sum.seconds / n, sum.seconds / n / bound, bound, sum.slowest, sum.over,
      sum.over_spent, sum.wrong, sum.unresolved, sum.tries / n);
  return sum.wrong > 0 ? 2 : 0;
}
