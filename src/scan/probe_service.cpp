#include "scan/probe_service.hpp"

#include "probe/engine.hpp"
#include "probe/make_backend.hpp"
#include "scan/fair_use.hpp"
#include "scan/scan_events.hpp"
#include "scan/target_policy.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <vector>

namespace breakwater::scan {
namespace {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

struct subscriber {
  std::uint64_t id = 0;
  std::size_t cursor = 0;  // index of the next event to hand over
  std::function<void(const scan_event&)> on_event;
};

struct scan_record {
  scan_view view;
  bool v6 = false;
  std::map<std::uint16_t, probe::port_result> verdicts;  // while running
  std::vector<scan_event> events;
  std::vector<subscriber> subscribers;
  std::stop_source stop;
  steady::time_point last_watched;
  steady::time_point expires;
  std::size_t charged = 0;
  bool idle_cancelled = false;
};

// The port set an order asks for, or why it cannot be probed.
boost::system::result<probe::port_set, refusal> ports_of(const scan_order& order) {
  auto named = [](std::string_view name) { return *probe::parse_port_set(name); };
  switch (order.kind) {
    case scan_kind::common: return named("common");
    case scan_kind::service: return named("service");
    case scan_kind::file_sharing: return named("file-sharing");
    case scan_kind::full: return named("all");
    case scan_kind::ping:
    case scan_kind::upnp: return probe::port_set{};
    case scan_kind::single:
    case scan_kind::custom: break;
  }
  if (order.ports.empty()) {
    return refusal{400,
                   "bad_ports",
                   "No ports were given: enter a port such as 443 or a list such as "
                   "\"21-23,80,443\".",
                   {}};
  }
  auto parsed = probe::parse_port_set(order.ports);
  if (!parsed) return refusal{400, "bad_ports", parsed.error().message, {}};
  if (order.kind == scan_kind::single && parsed->size() != 1) {
    return refusal{
        400, "bad_ports", "Give exactly one port (0-65535) for a single-port check.", {}};
  }
  return *parsed;
}

bool wants_ping(const scan_order& o) { return o.kind == scan_kind::ping || o.ping; }
bool wants_upnp(const scan_order& o) { return o.kind == scan_kind::upnp || o.upnp; }

using probe_outcome = boost::system::result<probe::scan_result, probe::failure>;

}  // namespace

struct probe_service::core {
  explicit core(probe_service_options o)
      : options(std::move(o)), budget(options.probes_per_hour), sweep(ioc) {}

  probe_service_options options;
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<scan_record>, std::less<>> scans;
  probe_budget budget;
  service_stats counters;
  std::uint64_t next_subscriber = 1;
  bool stopping = false;
  bool closing = false;  // service thread only: the sweep must not re-arm

  asio::io_context ioc{1};
  asio::steady_timer sweep;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<probe::engine> engine;
  std::thread thread;

  // Under `mu`, on the service thread: hands every subscriber the events it has not seen.
  static void deliver(scan_record& r) {
    for (subscriber& s : r.subscribers) {
      while (s.cursor < r.events.size()) s.on_event(r.events[s.cursor++]);
    }
  }

  void add_event(scan_record& r, std::string name, std::string data) {
    r.events.push_back({r.events.size() + 1, std::move(name), std::move(data)});
  }

  std::size_t running_of(std::string_view address) const {
    std::size_t n = 0;
    for (const auto& [id, r] : scans) {
      if (r->view.phase == scan_phase::running && r->view.target == address) ++n;
    }
    return n;
  }

  std::chrono::milliseconds estimate_of(const visitor& who, const scan_order& order,
                                        std::size_t ports) const {
    double rate = order.kind == scan_kind::full ? options.full_range_rate : options.scan_rate;
    rate = std::max(1.0, std::min(rate, options.max_rate));
    // The timeout of a first try (RFC 6298 from the seeded RTT, else 1 s), then doubling.
    double rto_ms = who.rtt_us > 0 ? std::clamp(3.0 * who.rtt_us / 1000.0, 100.0, 3000.0) : 1000.0;
    double wait_ms = rto_ms * ((1u << std::clamp(options.tries, 1u, 10u)) - 1);
    double total = static_cast<double>(ports) * 1000.0 / rate + wait_ms;
    if (wants_ping(order) || wants_upnp(order)) total = std::max(total, 3000.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(total));
  }

  void on_verdict(scan_record& r, const probe::port_result& p) {
    std::lock_guard lock(mu);
    r.verdicts[p.port] = p;
    r.view.decided = r.verdicts.size();
    counters.probes_sent += p.tries;
    add_event(r, "verdict", verdict_event_data(p, r.v6));
    deliver(r);
  }

  void finish(scan_record& r, boost::system::result<probe::scan_result, probe::failure> out) {
    std::lock_guard lock(mu);
    if (out) {
      r.view.result = std::move(*out);
      r.view.phase = r.view.result.cancelled ? scan_phase::cancelled : scan_phase::done;
    } else {
      r.view.phase = scan_phase::failed;
      r.view.error = fmt::format("The scan could not run: {}", out.error().message());
      for (const auto& [port, v] : r.verdicts) r.view.result.ports.push_back(v);
    }
    if (r.idle_cancelled) {
      r.view.error = "Cancelled: nobody was watching this scan (the page was closed).";
    }
    r.view.decided = r.view.result.ports.size();
    r.verdicts.clear();
    std::size_t unsent = r.view.ports.size() - std::min(r.view.ports.size(), r.view.decided);
    budget.refund(r.view.target, unsent);
    --counters.running;
    if (r.view.result.ping) add_event(r, "ping", ping_event_data(*r.view.result.ping));
    if (r.view.result.upnp) add_event(r, "upnp", upnp_event_data(*r.view.result.upnp));
    add_event(r, "done", done_event_data(r.view.phase, r.view.result, r.view.error));
    deliver(r);
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
    for (auto it = scans.begin(); it != scans.end();) {
      scan_record& r = *it->second;
      if (r.view.phase == scan_phase::running) {
        if (r.subscribers.empty() && now - r.last_watched >= options.idle_cancel &&
            !r.idle_cancelled) {
          r.idle_cancelled = true;
          r.stop.request_stop();
        }
        ++it;
      } else if (now >= r.expires && r.subscribers.empty()) {
        it = scans.erase(it);
      } else {
        ++it;
      }
    }
    budget.forget_old(now);
  }

  scan_record* visible(std::string_view id, std::string_view address) const {
    auto it = scans.find(id);
    if (it == scans.end()) return nullptr;
    scan_record& r = *it->second;
    if (r.view.target != address) return nullptr;
    if (r.view.phase != scan_phase::running && steady::now() >= r.expires) return nullptr;
    return &r;
  }
};

namespace {

class registry_subscription final : public subscription {
 public:
  registry_subscription(std::weak_ptr<probe_service::core> c, std::string id, std::uint64_t sub)
      : core_(std::move(c)), id_(std::move(id)), sub_(sub) {}
  ~registry_subscription() override {
    auto c = core_.lock();
    if (!c) return;
    std::lock_guard lock(c->mu);
    auto it = c->scans.find(id_);
    if (it == c->scans.end()) return;
    std::erase_if(it->second->subscribers, [&](const subscriber& s) { return s.id == sub_; });
    // The idle clock starts when the last watcher leaves.
    it->second->last_watched = steady::now();
  }

 private:
  std::weak_ptr<probe_service::core> core_;
  std::string id_;
  std::uint64_t sub_;
};

}  // namespace

probe_service::probe_service(probe_service_options options)
    : core_(std::make_shared<core>(std::move(options))) {
  probe::engine_options eo;
  eo.max_rate = core_->options.max_rate;
  eo.max_in_flight = core_->options.max_in_flight;
  eo.backend = core_->options.backend;
  if (!eo.backend) {
    auto b = probe::make_backend(core_->ioc.get_executor(), core_->options.prober);
    if (!b) throw std::runtime_error(b.error().message());
    eo.backend = std::move(*b);
  }
  core_->engine = std::make_unique<probe::engine>(core_->ioc.get_executor(), eo);
  core_->work.emplace(core_->ioc.get_executor());
  core_->arm_sweep();
  core_->thread = std::thread([c = core_.get()] { c->ioc.run(); });
}

probe_service::~probe_service() {
  {
    std::lock_guard lock(core_->mu);
    core_->stopping = true;
    for (auto& [id, r] : core_->scans) r->stop.request_stop();
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
  auto ports = ports_of(order);
  if (!ports) return ports.error();
  if (auto no = check_target(who.address, core_->options.allow_loopback)) return *no;
  boost::system::error_code ec;
  auto target = asio::ip::make_address(who.address, ec);
  bool ping = wants_ping(order), upnp = wants_upnp(order);
  std::size_t probes = ports->size() + (ping ? 1 : 0) + (upnp ? 1 : 0);
  auto estimate = core_->estimate_of(who, order, ports->size());

  auto r = std::make_shared<scan_record>();
  std::string id = new_scan_id();
  {
    std::lock_guard lock(core_->mu);
    auto refuse = [&](refusal no) {
      ++core_->counters.refused;
      return no;
    };
    if (core_->stopping) {
      return refuse({503, "shutting_down", "The server is shutting down; try again in a minute.",
                     std::chrono::seconds(60)});
    }
    if (core_->running_of(who.address) > 0) {
      return refuse({429, "scan_running",
                     fmt::format("A scan of {} is already running. Wait for it to finish (or "
                                 "cancel it), then start the next one.",
                                 who.address),
                     std::chrono::seconds(5)});
    }
    if (core_->counters.running >= core_->options.max_running) {
      return refuse({503, "busy",
                     "The server is running as many scans as it allows right now. Please try "
                     "again in a few seconds.",
                     std::chrono::seconds(10)});
    }
    auto wait = core_->budget.charge(who.address, probes, steady::now());
    if (wait.count() > 0) {
      return refuse(
          {429, "budget",
           fmt::format("{} has used its probe budget ({} probes an hour); this scan needs {}. "
                       "Try again in {} minutes, or choose fewer ports.",
                       budget_holder(who.address), core_->options.probes_per_hour, probes,
                       (wait.count() + 59) / 60),
           wait});
    }
    auto now_sys = std::chrono::system_clock::now();
    r->view.id = id;
    r->view.target = who.address;
    r->view.kind = order.kind;
    r->view.ports = *ports;
    r->view.ping = ping;
    r->view.upnp = upnp;
    r->view.started = now_sys;
    r->view.expires = now_sys + core_->options.keep_results;
    r->view.estimate = estimate;
    r->view.result.target = target.is_v6() && target.to_v6().is_v4_mapped()
                                ? asio::ip::make_address_v4(asio::ip::v4_mapped, target.to_v6())
                                : target;
    r->v6 = r->view.result.target.is_v6();
    r->last_watched = steady::now();
    r->expires = r->last_watched + core_->options.keep_results;
    r->charged = probes;
    core_->scans.emplace(id, r);
    ++core_->counters.running;
    ++core_->counters.started;
  }

  probe::scan_request req;
  req.target = r->view.result.target;
  req.ports = *ports;
  req.options.ping = ping;
  req.options.upnp = upnp;
  req.options.tries = core_->options.tries;
  req.options.rate =
      order.kind == scan_kind::full ? core_->options.full_range_rate : core_->options.scan_rate;
  if (who.rtt_us > 0) req.options.rtt_seed = std::chrono::microseconds(who.rtt_us);
  req.stop = r->stop.get_token();
  core* c = core_.get();
  req.on_verdict = [c, rec = r.get()](const probe::port_result& p, const probe::scan_progress&) {
    c->on_verdict(*rec, p);
  };
  asio::co_spawn(core_->ioc, core_->engine->scan(std::move(req)),
                 [c, r](std::exception_ptr e, probe_outcome out) {
                   if (e)
                     out = probe::failure{make_error_code(probe::errc::bad_target),
                                          probe::operation::none, "internal error"};
                   c->finish(*r, std::move(out));
                 });
  return id;
}

std::optional<scan_view> probe_service::find(std::string_view id, std::string_view address) const {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->visible(id, address);
  if (r == nullptr) return std::nullopt;
  r->last_watched = steady::now();  // a poll counts as watching
  scan_view v = r->view;
  if (v.phase == scan_phase::running) {
    v.result.ports.reserve(r->verdicts.size());
    for (const auto& [port, p] : r->verdicts) v.result.ports.push_back(p);
  }
  return v;
}

bool probe_service::cancel(std::string_view id, std::string_view address) {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->visible(id, address);
  if (r == nullptr || r->view.phase != scan_phase::running) return false;
  r->stop.request_stop();
  return true;
}

std::unique_ptr<subscription> probe_service::subscribe(
    std::string_view id, std::string_view address, std::uint64_t after,
    std::function<void(const scan_event&)> on_event) {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->visible(id, address);
  if (r == nullptr) return nullptr;
  std::uint64_t sub = core_->next_subscriber++;
  std::size_t cursor = static_cast<std::size_t>(std::min<std::uint64_t>(after, r->events.size()));
  r->subscribers.push_back({sub, cursor, std::move(on_event)});
  r->last_watched = steady::now();
  // Past events go out on the service thread too, before any later one.
  asio::post(core_->ioc, [w = std::weak_ptr<core>(core_), key = std::string(id)] {
    auto c = w.lock();
    if (!c) return;
    std::lock_guard l(c->mu);
    auto it = c->scans.find(key);
    if (it != c->scans.end()) core::deliver(*it->second);
  });
  return std::make_unique<registry_subscription>(core_, std::string(id), sub);
}

boost::system::result<std::chrono::milliseconds, refusal> probe_service::estimate(
    const visitor& who, const scan_order& order) const {
  auto ports = ports_of(order);
  if (!ports) return ports.error();
  if (auto no = check_target(who.address, core_->options.allow_loopback)) return *no;
  return core_->estimate_of(who, order, ports->size());
}

service_stats probe_service::stats() const {
  std::lock_guard lock(core_->mu);
  service_stats s = core_->counters;
  s.kept = core_->scans.size();
  return s;
}

}  // namespace breakwater::scan
