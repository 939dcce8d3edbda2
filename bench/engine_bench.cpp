// The probe engine's own CPU per probe (issue 17: "a tenth of today's CPU per probe"): a scan
// of 0-1055 against a backend that answers at once, so that what is measured is the engine's
// work per port (launching a try, its deadline, the pacing and bookkeeping), not the
// network's. The UDP path is the same engine path with the UDP backend.
#include "probe/engine.hpp"
#include "probe/prober.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>

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

// Every TCP port refuses (a reset) and every UDP port is unreachable (the host's ICMP error)
// after one trip through the executor, as a real answer would come back through the event
// loop.
class instant_backend final : public prober {
 public:
  explicit instant_backend(transport proto) : proto_(proto) {}
  asio::awaitable<probe_outcome> probe(asio::ip::address, std::uint16_t, duration) override {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return answer();
  }

 private:
  probe_outcome answer() const {
    probe_outcome o;
    o.what = probe_outcome::kind::answered;
    o.proto = proto_;
    o.rtt = std::chrono::microseconds(100);
    if (proto_ == transport::tcp) {
      o.why = reason::rst;
    } else {
      o.why = reason::icmp_unreachable;
      o.icmp = icmp_info{3, 3};
    }
    return o;
  }
  transport proto_;
};

// One scan of 0-1055 (TCP or UDP) per iteration, engine and io_context included.
void scan_per_probe(benchmark::State& state, transport proto) {
  const auto ports = *parse_port_set("0-1055");
  std::size_t allocated = 0;
  for (auto _ : state) {
    std::size_t before = allocations;
    asio::io_context ctx;
    engine_options eo;
    eo.backend = std::make_shared<instant_backend>(transport::tcp);
    eo.udp_backend = std::make_shared<instant_backend>(transport::udp);
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
  }
  const auto probes = state.iterations() * static_cast<std::int64_t>(ports.size());
  state.SetItemsProcessed(probes);
  state.counters["allocs_per_probe"] = static_cast<double>(allocated) / static_cast<double>(probes);
}

void bm_engine_per_probe(benchmark::State& state) { scan_per_probe(state, transport::tcp); }
void bm_engine_udp_per_probe(benchmark::State& state) { scan_per_probe(state, transport::udp); }
BENCHMARK(bm_engine_per_probe)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(bm_engine_udp_per_probe)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
