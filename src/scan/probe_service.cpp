#include "scan/probe_service.hpp"

#include "probe/engine.hpp"
#include "probe/make_backend.hpp"
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
namespace {

namespace asio = boost::asio;

// `chosen` learns which prober was opened (a test's injected backend keeps the settings').
probe::engine_options engine_options_of(const probe_service_options& o,
                                        const asio::io_context::executor_type& ex,
                                        probe::opened_backend& chosen) {
  probe::engine_options eo;
  eo.max_rate = static_cast<double>(o.settings.max_rate);
  eo.max_in_flight = o.settings.max_in_flight;
  eo.backend = o.backend;
  chosen.kind = o.settings.prober;
  if (!eo.backend) {
    auto b = probe::open_backend(ex, o.settings.prober);
    if (!b) throw std::runtime_error(b.error().message());
    eo.backend = b->backend;
    chosen = std::move(*b);
  }
  return eo;
}

}  // namespace

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

  // Under `mu`: takes the claim's places and budget, or counts the refusal.
  std::optional<refusal> admit(const claim& c) {
    auto no = gate.admit(c, scans.running_of(c.holder), steady::now());
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
    r.add_verdict(p);
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
    // A large scan's probes leave much freed memory that glibc keeps for the thread that
    // ran them (about 150 MB after a full range): hand it back once nothing runs.
    if (gate.running() == 0 && r.view.ports.size() > large_scan_ports) ::malloc_trim(0);
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
    gate.forget_old(now);
  }
};

probe_service::probe_service(probe_service_options options)
    : core_(std::make_shared<core>(std::move(options))) {
  auto ex = core_->ioc.get_executor();
  core_->engine =
      std::make_unique<probe::engine>(ex, engine_options_of(core_->options, ex, core_->prober));
  core_->work.emplace(ex);
  core_->arm_sweep();
  core_->thread = std::thread([c = core_.get()] { c->ioc.run(); });
}

probe::backend_kind probe_service::prober() const { return core_->prober.kind; }

const std::string& probe_service::prober_fallback_reason() const {
  return core_->prober.fallback_reason;
}

probe_service::~probe_service() {
  {
    std::lock_guard lock(core_->mu);
    core_->gate.close();
    core_->scans.stop_all();
  }
  asio::post(core_->ioc, [c = core_.get()] {
    c->closing = true;
    c->sweep.cancel();
    c->work.reset();
  });
  core_->thread.join();
  // Scans still inside the engine (none, normally) are dropped with the context.
  core_->engine.reset();
}

boost::system::result<std::string, refusal> probe_service::start(const visitor& who,
                                                                 const scan_order& order) {
  auto plan = plan_of(order);
  if (!plan) return plan.error().said;
  if (auto no = core_->gate.check_target(who.address)) return *no;
  auto estimate = estimate_of(*plan, core_->options.settings, core_->options.tries, who.rtt_us);
  auto r = new_record(new_scan_id(), who, order.kind, *plan,
                      claim_of(who.address, plan->check, plan->probes()),
                      core_->options.settings.keep_results, estimate);
  {
    std::lock_guard lock(core_->mu);
    if (auto no = core_->admit(r->who)) return *no;
    core_->scans.add(r->view.id, r);
  }
  core_->request(r, *plan, who);
  return r->view.id;
}

std::optional<scan_view> probe_service::find(std::string_view id, std::string_view address) const {
  scan_view v;
  std::shared_ptr<const verdict_list> decided;
  std::size_t n = 0;
  {
    std::lock_guard lock(core_->mu);
    scan_record* r = core_->scans.visible(id, address);
    if (r == nullptr) return std::nullopt;
    r->last_watched = steady::now();  // a poll counts as watching
    v = r->view;  // without the verdicts: those are copied below, outside the lock
    decided = r->decided;
    n = r->decided->size();
  }
  put_verdicts(*decided, n, v.result);
  v.decided = v.result.ports.size() + v.result.udp.size();
  return v;
}

bool probe_service::cancel(std::string_view id, std::string_view address) {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->scans.visible(id, address);
  if (r == nullptr || r->view.phase != scan_phase::running) return false;
  r->stop.request_stop();
  return true;
}

boost::system::result<std::unique_ptr<subscription>, refusal> probe_service::subscribe(
    std::string_view id, std::string_view address, std::uint64_t after,
    std::function<void(const scan_event&)> on_event, bool paced) {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->scans.visible(id, address);
  if (r == nullptr) return refusal{404, "not_found", "No such scan for your address.", {}};
  auto sub = open_stream(*core_, *r, after, std::move(on_event), paced);
  if (!sub) return sub.error();
  if (!paced) {
    // Past events go out on the service thread too, before any later one.
    asio::post(core_->ioc, [w = std::weak_ptr<core>(core_), key = std::string(id)] {
      auto c = w.lock();
      if (!c) return;
      std::lock_guard l(c->mu);
      if (scan_record* rec = c->scans.find(key)) deliver(*rec);
    });
  }
  return stream_handle(core_, std::string(id), *sub);
}

boost::system::result<std::chrono::milliseconds, refusal> probe_service::estimate(
    const visitor& who, const scan_order& order) const {
  auto plan = plan_of(order);
  if (!plan) return plan.error().said;
  if (auto no = core_->gate.check_target(who.address)) return *no;
  return estimate_of(*plan, core_->options.settings, core_->options.tries, who.rtt_us);
}

service_stats probe_service::stats() const {
  std::lock_guard lock(core_->mu);
  service_stats s = core_->counters;
  s.running = core_->gate.running();
  s.running_checks = core_->gate.running_checks();
  s.kept = core_->scans.size();
  return s;
}

}  // namespace breakwater::scan
