#include "scan/probe_service.hpp"

#include "common/ip.hpp"

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

#include <malloc.h>
#include <algorithm>
#include <deque>
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
  bool paced = false;
  std::size_t credit = 0;  // paced: events it may still get before the next resume()
};

using verdict_list = std::vector<probe::port_result>;

struct scan_record {
  scan_view view;  // view.result.ports stays empty: the verdicts are in `decided`
  bool v6 = false;
  bool check = false;  // a single-port check: its own pool
  std::string holder;  // budget_holder(): an IPv4 address or an IPv6 /64
  std::string wide;    // the IPv6 /48 ("" for IPv4)
  // Verdicts in the order they were decided, which is also the order of their events.
  // Reserved for every port of the scan and only appended to: a reader that took the
  // pointer and a count under the lock may read that many elements without it. Should
  // capacity run out, a bigger copy replaces the vector (readers keep the old one alive).
  std::shared_ptr<verdict_list> decided = std::make_shared<verdict_list>();
  std::vector<scan_event> tail;  // ping, upnp and done, after the verdicts
  std::vector<subscriber> subscribers;
  std::stop_source stop;
  steady::time_point last_watched;
  steady::time_point expires;
  std::size_t charged = 0;
  bool idle_cancelled = false;

  std::size_t event_count() const noexcept { return decided->size() + tail.size(); }
  // The event at 0-based `index`: verdicts are formatted when handed over, not kept.
  scan_event event_at(std::size_t index) const {
    if (index < decided->size()) {
      return {index + 1, "verdict", verdict_event_data((*decided)[index], v6)};
    }
    return tail[index - decided->size()];
  }
  void add_verdict(const probe::port_result& p) {
    if (decided->size() == decided->capacity()) {
      auto bigger = std::make_shared<verdict_list>();
      bigger->reserve(std::max<std::size_t>(16, decided->size() * 2));
      bigger->assign(decided->begin(), decided->end());
      decided = std::move(bigger);
    }
    decided->push_back(p);
  }
};

// What one holder has: running scans, open event streams, kept results (oldest first).
struct holder_state {
  std::size_t running = 0;
  std::size_t streams = 0;
  std::deque<std::string> kept;
};

// The verdicts of a view, one per port in ascending order: the last word on each port.
std::vector<probe::port_result> sorted_verdicts(const verdict_list& all, std::size_t n) {
  std::vector<probe::port_result> out(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.port < b.port; });
  std::vector<probe::port_result> unique;
  unique.reserve(out.size());
  for (const auto& p : out) {
    if (!unique.empty() && unique.back().port == p.port) {
      unique.back() = p;
    } else {
      unique.push_back(p);
    }
  }
  return unique;
}

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

// Over this many ports a scan runs at full_range_rate, whatever its kind: the pace follows
// the size, so a custom "1-65535" is paced like the full range.
constexpr std::size_t large_scan_ports = 4096;
// An IPv6 /48 may run and probe this many times what one /64 may.
constexpr std::size_t wide_factor = 4;

refusal too_many_streams() {
  return {429, "too_many_streams",
          "Too many event streams are open on this scan or from your address. Close other "
          "tabs showing it, or read the result with GET /api/v1/scans/{id}.",
          std::chrono::seconds(5)};
}

}  // namespace

struct probe_service::core {
  explicit core(probe_service_options o)
      : options(std::move(o)),
        budget(options.probes_per_hour),
        wide_budget(options.probes_per_hour * wide_factor, std::chrono::hours(1), 48),
        sweep(ioc) {}

  probe_service_options options;
  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<scan_record>, std::less<>> scans;
  std::map<std::string, holder_state, std::less<>> holders;      // by budget_holder()
  std::map<std::string, std::size_t, std::less<>> wide_running;  // by IPv6 /48
  std::deque<std::string> kept_order;  // every kept scan's id, oldest first (some stale)
  probe_budget budget;
  probe_budget wide_budget;
  service_stats counters;
  std::size_t running_checks = 0;
  std::uint64_t next_subscriber = 1;
  bool stopping = false;
  bool closing = false;  // service thread only: the sweep must not re-arm

  asio::io_context ioc{1};
  asio::steady_timer sweep;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<probe::engine> engine;
  std::thread thread;

  // Under `mu`: hands every subscriber the events it has not seen, a paced one no more
  // than its credit.
  static void deliver(scan_record& r) {
    for (subscriber& s : r.subscribers) deliver_to(r, s);
  }
  static void deliver_to(scan_record& r, subscriber& s) {
    std::size_t n = r.event_count();
    while (s.cursor < n && (!s.paced || s.credit > 0)) {
      s.on_event(r.event_at(s.cursor++));
      if (s.paced) --s.credit;
    }
  }

  void add_event(scan_record& r, std::string name, std::string data) {
    r.tail.push_back({r.event_count() + 1, std::move(name), std::move(data)});
  }

  double rate_of(std::size_t ports) const {
    return ports > large_scan_ports ? options.full_range_rate : options.scan_rate;
  }

  std::chrono::milliseconds estimate_of(const visitor& who, const scan_order& order,
                                        std::size_t ports) const {
    double rate = std::max(1.0, std::min(rate_of(ports), options.max_rate));
    // The timeout of a first try (RFC 6298 from the seeded RTT, else 1 s), then doubling.
    double rto_ms = who.rtt_us > 0 ? std::clamp(3.0 * who.rtt_us / 1000.0, 100.0, 3000.0) : 1000.0;
    double wait_ms = rto_ms * ((1u << std::clamp(options.tries, 1u, 10u)) - 1);
    double total = static_cast<double>(ports) * 1000.0 / rate + wait_ms;
    if (wants_ping(order) || wants_upnp(order)) total = std::max(total, 3000.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(total));
  }

  void on_verdict(scan_record& r, const probe::port_result& p) {
    std::lock_guard lock(mu);
    r.add_verdict(p);
    r.view.decided = r.decided->size();
    counters.probes_sent += p.tries;
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
    }
    if (r.idle_cancelled) {
      r.view.error = "Cancelled: nobody was watching this scan (the page was closed).";
    }
    // The verdicts are kept once, in `decided`; the events need the whole result first.
    if (r.view.result.ports.empty())
      r.view.result.ports = sorted_verdicts(*r.decided, r.decided->size());
    r.view.decided = r.view.result.ports.size();
    std::size_t unsent = r.view.ports.size() - std::min(r.view.ports.size(), r.view.decided);
    budget.refund(r.view.target, unsent);
    if (!r.wide.empty()) wide_budget.refund(r.view.target, unsent);
    --counters.running;
    if (r.check) --running_checks;
    end_running(r);
    if (r.view.result.ping) add_event(r, "ping", ping_event_data(*r.view.result.ping));
    if (r.view.result.upnp) add_event(r, "upnp", upnp_event_data(*r.view.result.upnp));
    add_event(r, "done", done_event_data(r.view.phase, r.view.result, r.view.error));
    r.view.result.ports.clear();
    r.view.result.ports.shrink_to_fit();
    deliver(r);
    // A large scan's probes leave much freed memory that glibc keeps for the thread that
    // ran them (about 150 MB after a full range): hand it back once nothing runs.
    if (counters.running == 0 && r.view.ports.size() > large_scan_ports) ::malloc_trim(0);
  }

  void end_running(const scan_record& r) {
    if (auto h = holders.find(r.holder); h != holders.end() && h->second.running > 0) {
      --h->second.running;
    }
    if (auto w = wide_running.find(r.wide); w != wide_running.end() && --w->second == 0) {
      wide_running.erase(w);
    }
  }

  // Under `mu`: forgets the oldest finished, unwatched scan in `order` (dropping ids already
  // forgotten on the way); false when every scan there is running or watched.
  bool forget_oldest(std::deque<std::string>& order) {
    for (auto it = order.begin(); it != order.end();) {
      auto found = scans.find(*it);
      if (found == scans.end()) {
        it = order.erase(it);
        continue;
      }
      const scan_record& r = *found->second;
      if (r.view.phase != scan_phase::running && r.subscribers.empty()) {
        std::string holder = r.holder;
        scans.erase(found);
        order.erase(it);
        drop_holder_if_idle(holder);
        return true;
      }
      ++it;
    }
    return false;
  }

  void drop_holder_if_idle(const std::string& holder) {
    auto h = holders.find(holder);
    if (h == holders.end() || h->second.running > 0 || h->second.streams > 0) return;
    std::erase_if(h->second.kept, [&](const std::string& id) { return !scans.contains(id); });
    if (h->second.kept.empty()) holders.erase(h);
  }

  // Under `mu`, after a scan was added: the oldest results go first, per holder and overall.
  void trim_kept(holder_state& h) {
    while (h.kept.size() > options.max_kept_per_holder && forget_oldest(h.kept)) {
    }
    while (scans.size() > options.max_kept && forget_oldest(kept_order)) {
    }
    // Ids forgotten through the other list stay behind here; drop them now and then.
    if (kept_order.size() > 2 * scans.size() + 1024) {
      std::erase_if(kept_order, [&](const std::string& id) { return !scans.contains(id); });
    }
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
    std::vector<std::string> emptied;
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
        emptied.push_back(r.holder);
        it = scans.erase(it);
      } else {
        ++it;
      }
    }
    for (const std::string& h : emptied) drop_holder_if_idle(h);
    if (kept_order.size() > scans.size() + 1024) {
      std::erase_if(kept_order, [&](const std::string& id) { return !scans.contains(id); });
    }
    budget.forget_old(now);
    wide_budget.forget_old(now);
  }

  scan_record* visible(std::string_view id, std::string_view address) const {
    auto it = scans.find(id);
    if (it == scans.end()) return nullptr;
    scan_record& r = *it->second;
    if (r.view.target != address) return nullptr;
    if (r.view.phase != scan_phase::running && steady::now() >= r.expires) return nullptr;
    return &r;
  }

  // Under `mu`: why `who` may not start a scan now, if it may not.
  std::optional<refusal> admission(const visitor& who, bool check, const std::string& holder,
                                   const std::string& wide) const {
    if (stopping) {
      return refusal{503, "shutting_down", "The server is shutting down; try again in a minute.",
                     std::chrono::seconds(60)};
    }
    auto h = holders.find(holder);
    std::size_t mine = h == holders.end() ? 0 : h->second.running;
    auto w = wide_running.find(wide);
    std::size_t ours = w == wide_running.end() ? 0 : w->second;
    if (mine >= options.max_running_per_holder ||
        (!wide.empty() && ours >= options.max_running_per_holder * wide_factor)) {
      return refusal{429, "scan_running",
                     fmt::format("A scan of {} is already running{}. Wait for it to finish (or "
                                 "cancel it), then start the next one.",
                                 mine > 0 ? holder : wide, mine > 0 ? "" : " from your network"),
                     std::chrono::seconds(5)};
    }
    bool full = check ? running_checks >= options.max_running_checks
                      : counters.running - running_checks >= options.max_running;
    if (full) {
      return refusal{503, "busy",
                     "The server is running as many scans as it allows right now. Please try "
                     "again in a few seconds.",
                     std::chrono::seconds(10)};
    }
    (void)who;
    return std::nullopt;
  }

  // Under `mu`: charges the probes to the holder (and its /48), or says when they fit.
  std::optional<refusal> charge(const visitor& who, const std::string& wide, std::size_t probes) {
    auto now = steady::now();
    auto wait = budget.charge(who.address, probes, now);
    std::size_t limit = options.probes_per_hour;
    std::string whose = budget_holder(who.address);
    if (wait.count() == 0 && !wide.empty()) {
      wait = wide_budget.charge(who.address, probes, now);
      if (wait.count() > 0) {
        budget.refund(who.address, probes);
        limit *= wide_factor;
        whose = wide;
      }
    }
    if (wait.count() == 0) return std::nullopt;
    return refusal{429, "budget",
                   fmt::format("{} has used its probe budget ({} probes an hour); this scan needs "
                               "{}. Try again in {} minutes, or choose fewer ports.",
                               whose, limit, probes, (wait.count() + 59) / 60),
                   wait};
  }
};

namespace {

class registry_subscription final : public subscription {
 public:
  registry_subscription(std::weak_ptr<probe_service::core> c, std::string id, std::uint64_t sub)
      : core_(std::move(c)), id_(std::move(id)), sub_(sub) {}
  ~registry_subscription() override {
    with_record([this](probe_service::core& c, scan_record& r) {
      std::erase_if(r.subscribers, [&](const subscriber& s) { return s.id == sub_; });
      if (auto h = c.holders.find(r.holder); h != c.holders.end() && h->second.streams > 0) {
        --h->second.streams;
      }
      // The idle clock starts when the last watcher leaves.
      r.last_watched = steady::now();
    });
  }

  void resume() override {
    with_record([this](probe_service::core&, scan_record& r) {
      for (subscriber& s : r.subscribers) {
        if (s.id != sub_) continue;
        s.credit = event_batch;
        probe_service::core::deliver_to(r, s);
      }
    });
  }

 private:
  // Runs `f` under the service's lock when the service and the scan still exist. (A scan
  // with subscribers is never forgotten, so normally both do.)
  template <class F>
  void with_record(F f) {
    auto c = core_.lock();
    if (!c) return;
    std::lock_guard lock(c->mu);
    auto it = c->scans.find(id_);
    if (it != c->scans.end()) f(*c, *it->second);
  }

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
  bool check = order.kind == scan_kind::single;
  std::string holder = budget_holder(who.address);
  std::string wide = has_wide_tier(who.address) ? budget_holder(who.address, 48) : std::string();

  auto r = std::make_shared<scan_record>();
  std::string id = new_scan_id();
  {
    std::lock_guard lock(core_->mu);
    std::optional<refusal> no = core_->admission(who, check, holder, wide);
    if (!no) no = core_->charge(who, wide, probes);
    if (no) {
      ++core_->counters.refused;
      return *no;
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
    r->view.result.target = common::unmapped(target);
    r->v6 = r->view.result.target.is_v6();
    r->check = check;
    r->holder = holder;
    r->wide = wide;
    r->decided->reserve(ports->size());
    r->last_watched = steady::now();
    r->expires = r->last_watched + core_->options.keep_results;
    r->charged = probes;
    core_->scans.emplace(id, r);
    core_->kept_order.push_back(id);
    holder_state& h = core_->holders[holder];
    ++h.running;
    h.kept.push_back(id);
    if (!wide.empty()) ++core_->wide_running[wide];
    ++core_->counters.running;
    if (check) ++core_->running_checks;
    ++core_->counters.started;
    core_->trim_kept(h);
  }

  probe::scan_request req;
  req.target = r->view.result.target;
  req.ports = *ports;
  req.options.ping = ping;
  req.options.upnp = upnp;
  req.options.tries = core_->options.tries;
  req.options.rate = core_->rate_of(ports->size());
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
  scan_view v;
  std::shared_ptr<const verdict_list> decided;
  std::size_t n = 0;
  {
    std::lock_guard lock(core_->mu);
    scan_record* r = core_->visible(id, address);
    if (r == nullptr) return std::nullopt;
    r->last_watched = steady::now();  // a poll counts as watching
    v = r->view;  // without the verdicts: those are copied below, outside the lock
    decided = r->decided;
    n = r->decided->size();
  }
  v.result.ports = sorted_verdicts(*decided, n);
  v.decided = v.result.ports.size();
  return v;
}

bool probe_service::cancel(std::string_view id, std::string_view address) {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->visible(id, address);
  if (r == nullptr || r->view.phase != scan_phase::running) return false;
  r->stop.request_stop();
  return true;
}

boost::system::result<std::unique_ptr<subscription>, refusal> probe_service::subscribe(
    std::string_view id, std::string_view address, std::uint64_t after,
    std::function<void(const scan_event&)> on_event, bool paced) {
  std::lock_guard lock(core_->mu);
  scan_record* r = core_->visible(id, address);
  if (r == nullptr) {
    return refusal{404, "not_found", "No such scan for your address.", {}};
  }
  holder_state& h = core_->holders[r->holder];
  if (r->subscribers.size() >= core_->options.max_streams_per_scan ||
      h.streams >= core_->options.max_streams_per_holder) {
    ++core_->counters.refused;
    return too_many_streams();
  }
  ++h.streams;
  std::uint64_t sub = core_->next_subscriber++;
  std::size_t cursor = static_cast<std::size_t>(std::min<std::uint64_t>(after, r->event_count()));
  // A finished scan always ends the stream with its "done" event, even for a client that
  // says it saw it: a stream that never ends would pin the result past its time.
  if (r->view.phase != scan_phase::running && cursor == r->event_count() && cursor > 0) --cursor;
  r->subscribers.push_back({sub, cursor, std::move(on_event), paced, 0});
  r->last_watched = steady::now();
  if (!paced) {
    // Past events go out on the service thread too, before any later one.
    asio::post(core_->ioc, [w = std::weak_ptr<core>(core_), key = std::string(id)] {
      auto c = w.lock();
      if (!c) return;
      std::lock_guard l(c->mu);
      auto it = c->scans.find(key);
      if (it != c->scans.end()) core::deliver(*it->second);
    });
  }
  return std::unique_ptr<subscription>(
      std::make_unique<registry_subscription>(core_, std::string(id), sub));
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
  s.running_checks = core_->running_checks;
  return s;
}

}  // namespace breakwater::scan
