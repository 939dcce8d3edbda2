// The probe engine's own CPU per probe (issue 17: "a tenth of today's CPU per probe"): a scan
// of 0-1055 against a backend that answers at once, so that what is measured is the engine's
// work per port (the coroutine, the `||` against the stop timer, the pacing and bookkeeping),
// not the network's. The UDP prober's path is the same engine path with another backend.
#include "probe/engine.hpp"
#include "probe/prober.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace {

namespace asio = boost::asio;
using namespace breakwater::probe;

// Every port refuses (a reset) after one trip through the executor, as a real answer would
// come back through the event loop.
class instant_backend final : public prober {
 public:
  asio::awaitable<probe_outcome> probe(asio::ip::address, std::uint16_t, duration) override {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    probe_outcome o;
    o.what = probe_outcome::kind::answered;
    o.why = reason::rst;
    o.rtt = std::chrono::microseconds(100);
    co_return o;
  }
};

void bm_engine_per_probe(benchmark::State& state) {
  const auto ports = *parse_port_set("0-1055");
  for (auto _ : state) {
    asio::io_context ctx;
    engine_options eo;
    eo.backend = std::make_shared<instant_backend>();
    eo.max_rate = 1e9;
    engine e(ctx.get_executor(), eo);
    scan_request req;
    req.target = asio::ip::make_address("198.18.0.2");
    req.ports = ports;
    req.options.rate = 1e9;
    req.options.rtt_seed = std::chrono::microseconds(100);
    std::size_t decided = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
          auto r = co_await e.scan(req);
          if (r) decided = r->ports.size();
        },
        asio::detached);
    ctx.run();
    benchmark::DoNotOptimize(decided);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(ports.size()));
}
BENCHMARK(bm_engine_per_probe)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
