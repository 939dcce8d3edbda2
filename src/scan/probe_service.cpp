#include "scan/probe_service.hpp"

#include "scan/service_core.hpp"

namespace breakwater::scan {
namespace {

// `chosen` learns which prober was opened (a test's injected backend keeps the settings').
probe::engine_options engine_options_of(const probe_service_options& o,
                                        const asio::io_context::executor_type& ex,
                                        probe::opened_backend& chosen) {
  probe::engine_options eo;
  eo.max_rate = static_cast<double>(o.settings.max_rate);
  eo.max_in_flight = o.settings.max_in_flight;
  eo.backend = o.backend;
  eo.udp_backend = o.udp_backend;
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
    core_->reaches.stop_all();
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
  std::size_t bytes = estimate_kept_bytes(*r);
  {
    std::lock_guard lock(core_->mu);
    if (auto no = core_->admit(r->who, bytes)) return *no;
    core_->scans.add(r->view.id, r);
  }
  core_->request(r, *plan, who);
  return r->view.id;
}

std::optional<scan_snapshot> probe_service::snapshot(std::string_view id,
                                                     std::string_view address) const {
  scan_snapshot s;
  verdicts_taken decided;
  {
    std::lock_guard lock(core_->mu);
    scan_record* r = core_->scans.visible(id, address);
    if (r == nullptr) return std::nullopt;
    r->last_watched = steady::now();  // a poll counts as watching
    s.view = r->view;  // without the verdicts: those are read in place, outside the lock
    if (r->order) {
      s.verdicts = *r->order;
    } else {
      decided = r->take_verdicts();
    }
  }
  if (decided.count > 0) s.verdicts = verdict_order(decided.pack());
  s.view.decided = s.verdicts.size();
  return s;
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
  s.kept_bytes = core_->scans.bytes();
  s.reach_open = core_->reaches.open_count();
  s.reach_kept = core_->reaches.size();
  const reach_counts& c = core_->reaches.counts();
  s.reach_started = c.started;
  s.reach_confirmed = c.confirmed;
  s.reach_expired = c.expired;
  return s;
}

}  // namespace breakwater::scan
