// The scan service's insides, shared by its two files (probe_service.cpp: scans;
// probe_service_reach.cpp: reach tests): the state under the lock, the thread and its
// io_context, the probe engine and the once-a-second sweep. Includes Asio: only those two
// files include it.
#pragma once

#include "probe/engine.hpp"
#include "probe/make_backend.hpp"
#include "probe/reach_sender.hpp"
#include "scan/kept_bytes.hpp"
#include "scan/plan.hpp"
#include "scan/service_state.hpp"
#include "scan/subscribers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>
#include <optional>
#include <stdexcept>
#include <thread>

namespace breakwater::scan {
namespace asio = boost::asio;

// The service's thread: its io_context, the probe engine on it and the once-a-second sweep.
struct probe_service::core : service_state {
  explicit core(probe_service_options o) : service_state(std::move(o)), sweep(ioc) {}

  asio::io_context ioc{1};
  asio::steady_timer sweep;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<probe::engine> engine;
  std::thread thread;
  bool closing = false;          // service thread only: the sweep must not re-arm
  probe::opened_backend prober;  // set before the thread starts, read-only afterwards

  // Under `mu`: takes the claim's places and budget and makes room for `bytes` of kept
  // results, or counts the refusal (and takes nothing).
  std::optional<refusal> admit(const claim& c, std::size_t bytes) {
    auto no = gate.admit(c, scans.running_of(c.holder), steady::now());
    if (!no && !scans.make_room(bytes)) {
      gate.release(c, c.probes);
      no = no_room_for_results();
    }
    if (no) {
      ++counters.refused;
    } else {
      ++counters.started;
    }
    return no;
  }

  // Hands the scan to the engine; its verdicts and its end come back on the service thread.
  void request(const std::shared_ptr<scan_record>& r, const scan_plan& plan, const visitor& who) {
    probe::scan_request req;
    req.target = r->view.result.target;
    req.ports = plan.ports;
    req.udp_ports = plan.udp_ports;
    req.options.ping = plan.ping;
    req.options.upnp = plan.upnp;
    req.options.tries = options.tries;
    req.options.rate = rate_of(plan.pace, options.settings);
    if (who.rtt_us > 0) req.options.rtt_seed = std::chrono::microseconds(who.rtt_us);
    req.stop = r->stop.get_token();
    req.on_verdict = [this, rec = r.get()](const probe::port_result& p,
                                           const probe::scan_progress&) { on_verdict(*rec, p); };
    asio::co_spawn(ioc, engine->scan(std::move(req)),
                   [this, r](std::exception_ptr e, probe_outcome out) {
                     if (e)
                       out = probe::failure{make_error_code(probe::errc::bad_target),
                                            probe::operation::none, "internal error"};
                     finish(*r, std::move(out));
                   });
  }

  void on_verdict(scan_record& r, const probe::port_result& p) {
    std::lock_guard lock(mu);
    std::size_t room = r.decided->capacity();
    r.add_verdict(p);
    std::size_t more = verdict_heap_bytes(p) + (r.decided->capacity() - room) * sizeof(p);
    if (more > 0) scans.grew(r, more);
    r.view.decided = r.decided->size();
    counters.probes_sent += p.tries;
    deliver(r);
  }

  void finish(scan_record& r, probe_outcome out) {
    std::lock_guard lock(mu);
    r.conclude(std::move(out));
    gate.release(r.who, r.unsent());
    scans.end_running(r.who.holder);
    deliver(r);
    scans.recount(r);  // may forget it, as the oldest finished one: the caller still holds it
    // A large scan's probes leave much freed memory that glibc keeps for the thread that
    // ran them (about 150 MB after a full range): hand it back once nothing runs.
    if (gate.running() == 0 && r.view.total_ports() > large_scan_ports) ::malloc_trim(0);
  }

  // Once a second: cancel scans nobody watches, forget expired ones.
  void arm_sweep() {
    sweep.expires_after(std::chrono::seconds(1));
    sweep.async_wait([this](const boost::system::error_code& ec) {
      if (ec || closing) return;
      sweep_now(steady::now());
      arm_sweep();
    });
  }

  void sweep_now(steady::time_point now) {
    std::lock_guard lock(mu);
    scans.sweep(now, options.settings.idle_cancel);
    reaches.sweep(now);
    gate.forget_old(now);
  }

  // Sends test `r`'s message to its requester (probe_service_reach.cpp). Under `mu`.
  void send_reach(reach_record& r);
  void on_reach_send(const std::string& id);
  void on_reach_sent(const std::string& id, const probe::reach_send_result& result);
};

}  // namespace breakwater::scan
