// Benchmarks for the port database: loading, lookup and search.
#include "common/read_file.hpp"
#include "db/database_loader.hpp"
#include "db/entry_loader.hpp"
#include "db/search_index.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace {

using namespace breakwater::db;

// $BREAKWATER_DATA measures another data directory, such as one grown by grow_data.py.
std::filesystem::path chosen_data_dir() {
  const char* env = std::getenv("BREAKWATER_DATA");  // NOLINT(concurrency-mt-unsafe)
  return env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : std::filesystem::path(BREAKWATER_SOURCE_DATA_DIR);
}

const std::filesystem::path data_dir = chosen_data_dir();

const database& shared_db() {
  static const loaded_database loaded = load_database(data_dir).value();
  return *loaded.db;
}

void bm_load_database(benchmark::State& state) {
  for (auto _ : state) {
    auto loaded = load_database(data_dir);
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(bm_load_database)->Unit(benchmark::kMillisecond);

void bm_parse_registry_csv(benchmark::State& state) {
  std::string text = breakwater::common::read_file(data_dir / registry_file).value();
  for (auto _ : state) {
    auto parsed = parse_iana_csv(text, "bench.csv");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(bm_parse_registry_csv)->Unit(benchmark::kMillisecond);

void bm_parse_entry(benchmark::State& state) {
  std::string text = breakwater::common::read_file(data_dir / "ports" / "443.toml").value();
  for (auto _ : state) {
    auto e = parse_entry(text, "data/ports/443.toml");
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(bm_parse_entry)->Unit(benchmark::kMicrosecond);

void bm_build_search_index(benchmark::State& state) {
  const database& db = shared_db();
  for (auto _ : state) {
    search_index index(db);
    benchmark::DoNotOptimize(index);
  }
}
BENCHMARK(bm_build_search_index)->Unit(benchmark::kMillisecond);

void bm_lookup(benchmark::State& state) {
  const database& db = shared_db();
  std::mt19937 rng(42);
  std::uniform_int_distribution<unsigned> port(0, 65535);
  for (auto _ : state) {
    port_info info = db.lookup(static_cast<std::uint16_t>(port(rng)));
    benchmark::DoNotOptimize(info);
  }
}
BENCHMARK(bm_lookup);

void bm_search(benchmark::State& state, const char* query) {
  static const search_index index(shared_db());
  for (auto _ : state) {
    auto hits = index.search(query, 20);
    benchmark::DoNotOptimize(hits);
  }
}
BENCHMARK_CAPTURE(bm_search, service_name, "ssh")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_search, software, "plex")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_search, two_words, "remote desktop")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_search, prefix_heavy, "s")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_search, port_range, "1-1055")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_search, misspelt, "postgress")->Unit(benchmark::kMicrosecond);
// Eight long words, each a slip from a real one: eight walks of the words near their length.
BENCHMARK_CAPTURE(bm_search, eight_misspelt,
                  "conection managment protocoll sevrice aplication transfre netwrok "
                  "authentcation")
    ->Unit(benchmark::kMicrosecond);

// The hostile query of issue 11: 8 KB of one-letter words and repeats (each a prefix that
// matches much of the index). The cap on words and bytes bounds it.
void bm_search_8k(benchmark::State& state) {
  static const search_index index(shared_db());
  std::string query;
  for (int i = 0; query.size() < 8192; ++i) query += static_cast<char>('a' + i % 26), query += ' ';
  for (auto _ : state) {
    auto hits = index.search(query, 20);
    benchmark::DoNotOptimize(hits);
  }
}
BENCHMARK(bm_search_8k)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
