// The probe engine's own CPU per probe (issue 17: "a tenth of today's CPU per probe"): a scan
// of 0-1055 against a backend that answers at once, so that what is measured is the engine's
// work per port (launching a try, its deadline, the pacing and bookkeeping), not the
// network's. The UDP path is the same engine path with the UDP backend.
#include "probe/engine.hpp"
#include "probe/prober.hpp"
#include "probe/probers/coroutine_prober.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <vector>

// Every heap allocation of the process is counted, so that a scan's allocations per probe can
// be reported next to its CPU time (the steady state should not allocate per probe). Asio's
// coroutine frames and handlers bypass operator new (aligned_alloc), so the C allocator itself
// is wrapped: glibc lets a program define these and reach its own through the __libc_ names.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
std::size_t allocations = 0;
}  // namespace

extern "C" {
void* malloc(std::size_t n) {
  ++allocations;
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  ++allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  ++allocations;
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  ++allocations;
  return __libc_memalign(align, n);
}
void* memalign(std::size_t align, std::size_t n) {
  ++allocations;
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  ++allocations;
  *out = __libc_memalign(align, n);
  return *out != nullptr ? 0 : 12;  // ENOMEM
}
void free(void* p) { __libc_free(p); }
}

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;

// What every try is answered with: every TCP port refuses (a reset), every UDP port is
// unreachable (the host's ICMP error); or every try is silent (each port then gets its second
// try, and is stealth).
probe_outcome answer_for(transport proto, bool silent) {
  probe_outcome o;
  o.proto = proto;
  if (silent) return o;
  o.what = probe_outcome::kind::answered;
  o.proto = proto;
  o.rtt = std::chrono::microseconds(100);
  if (proto == transport::tcp) {
    o.why = reason::rst;
  } else {
    o.why = reason::icmp_unreachable;
    o.icmp = icmp_info{3, 3};
  }
  return o;
}

// Answers each try after one trip through the executor, as a real answer comes back through
// the event loop: the tries started in one turn are answered together in the next, as the
// raw prober reads a burst of answers per wake-up.
class instant_backend : public prober {
 public:
  instant_backend(transport proto, bool silent) : answer_(answer_for(proto, silent)) {}
  std::size_t tries = 0;

  probe_handle start(const probe_try& t, probe_sink& sink) override {
    ++tries;
    due_.push_back({&sink, t.tag, next_, false});
    if (due_.size() == 1) asio::post(sink.executor(), [this] { answer_all(); });
    return next_++;
  }
  void cancel(probe_handle h) noexcept override {
    for (auto& d : due_) d.cancelled = d.cancelled || d.handle == h;
  }

 protected:
  probe_outcome answer_;

 private:
  struct due {
    probe_sink* sink;
    probe_tag tag;
    probe_handle handle;
    bool cancelled;
  };
  void answer_all() {
    answering_.swap(due_);
    for (const due& d : answering_) {
      if (!d.cancelled) d.sink->finished(d.tag, answer_);
    }
    answering_.clear();
  }

  std::vector<due> due_;
  std::vector<due> answering_;
  probe_handle next_ = 0;
};

// The same, for a scan whose silent tries linger (probe_try::linger, as the raw prober's do):
// the scan keeps each until its linger ends, and cancels the rest when it is over. No answer
// comes late.
class lingering_backend final : public instant_backend {
 public:
  lingering_backend(transport proto, bool silent) : instant_backend(proto, silent) {
    answer_.still_heard = silent;
  }
  bool lingers() const noexcept override { return true; }
};

// The same answers from a coroutine per try (as the connect() and UDP probers are written),
// as every backend was before the engine stopped running a coroutine per try.
class instant_coroutine_backend final : public coroutine_prober {
 public:
  instant_coroutine_backend(transport proto, bool silent) : answer_(answer_for(proto, silent)) {}
  std::size_t tries = 0;

  asio::awaitable<probe_outcome> probe(asio::ip::address, std::uint16_t, duration) override {
    ++tries;
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return answer_;
  }

 private:
  probe_outcome answer_;
};

// One scan of 0-1055 (TCP or UDP) per iteration, engine and io_context included; the items
// counted are the tries sent.
template <class Backend>
void scan_per_probe(benchmark::State& state, transport proto, bool silent = false) {
  const auto ports = *parse_port_set("0-1055");
  std::size_t allocated = 0;
  std::size_t tries = 0;
  for (auto _ : state) {
    std::size_t before = allocations;
    asio::io_context ctx;
    auto tcp = std::make_shared<Backend>(transport::tcp, silent);
    auto udp = std::make_shared<Backend>(transport::udp, silent);
    engine_options eo;
    eo.backend = tcp;
    eo.udp_backend = udp;
    eo.max_rate = 1e9;
    engine e(ctx.get_executor(), eo);
    scan_request req;
    req.target = asio::ip::make_address("198.18.0.2");
    (proto == transport::tcp ? req.ports : req.udp_ports) = ports;
    req.options.rate = 1e9;
    req.options.rtt_seed = std::chrono::microseconds(100);
    std::size_t decided = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
          auto r = co_await e.scan(req);
          if (r) decided = r->ports.size() + r->udp.size();
        },
        asio::detached);
    ctx.run();
    if (decided != ports.size()) state.SkipWithError("not every port was decided");
    allocated += allocations - before;
    tries += tcp->tries + udp->tries;
  }
  const auto probes = static_cast<std::int64_t>(tries);
  state.SetItemsProcessed(probes);
  state.counters["allocs_per_probe"] = static_cast<double>(allocated) / static_cast<double>(probes);
}

void bm_engine_per_probe(benchmark::State& state) {
  scan_per_probe<instant_backend>(state, transport::tcp);
}
void bm_engine_udp_per_probe(benchmark::State& state) {
  scan_per_probe<instant_backend>(state, transport::udp);
}
void bm_engine_silent_per_probe(benchmark::State& state) {
  scan_per_probe<instant_backend>(state, transport::tcp, true);
}
void bm_engine_silent_lingering_per_probe(benchmark::State& state) {
  scan_per_probe<lingering_backend>(state, transport::tcp, true);
}
void bm_engine_coroutine_backend_per_probe(benchmark::State& state) {
  scan_per_probe<instant_coroutine_backend>(state, transport::tcp);
}
BENCHMARK(bm_engine_per_probe)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(bm_engine_udp_per_probe)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(bm_engine_silent_per_probe)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(bm_engine_silent_lingering_per_probe)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();
BENCHMARK(bm_engine_coroutine_backend_per_probe)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
