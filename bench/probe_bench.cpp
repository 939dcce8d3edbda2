// Benchmarks for the raw prober's per-SYN work: where its sequence number comes from (the
// shared mt19937 it used to draw from, and the keyed SipHash that replaced it) and building
// the SYN itself, for scale.
#include "probe/wire/raw_packet.hpp"

#include <benchmark/benchmark.h>

#include <random>

namespace {

using namespace breakwater::probe;

raw::syn_fields sample_syn() {
  raw::syn_fields f;
  f.source.b = {198, 18, 0, 1};
  f.target.b = {198, 18, 0, 2};
  f.source_port = 40000;
  f.target_port = 443;
  return f;
}

void bm_isn_mt19937(benchmark::State& state) {
  std::mt19937 rng{std::random_device{}()};
  for (auto _ : state) benchmark::DoNotOptimize(static_cast<std::uint32_t>(rng()));
}
BENCHMARK(bm_isn_mt19937);

void bm_isn_siphash(benchmark::State& state) {
  siphash_key key = random_siphash_key().value();
  raw::syn_fields f = sample_syn();
  std::uint64_t nonce = 0;
  for (auto _ : state) benchmark::DoNotOptimize(raw::syn_sequence(key, f, nonce++));
}
BENCHMARK(bm_isn_siphash);

void bm_build_syn(benchmark::State& state) {
  raw::syn_fields f = sample_syn();
  for (auto _ : state) {
    ++f.seq;
    benchmark::DoNotOptimize(raw::build_syn(f));
  }
}
BENCHMARK(bm_build_syn);

}  // namespace

BENCHMARK_MAIN();
