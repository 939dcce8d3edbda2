// libFuzzer target for the curated-entry and range-note loaders: never crash on any file
// content (the two share their field readers, so one corpus serves both).
#include "db/entry_loader.hpp"
#include "db/range_loader.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = breakwater::db::parse_entry(text, "fuzz/22.toml");
  // An entry is returned exactly when nothing was wrong with the file.
  if (loaded.value.has_value() != loaded.problems.empty()) std::abort();
  auto range = breakwater::db::parse_range(text, "fuzz/ranges/x.toml");
  if (range.value.has_value() != range.problems.empty()) std::abort();
  if (range.value && range.value->lo >= range.value->hi) std::abort();
  return 0;
}
