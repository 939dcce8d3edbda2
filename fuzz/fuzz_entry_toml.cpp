// libFuzzer target for the curated-entry loader: never crashes on any file content.
#include "db/entry_loader.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = breakwater::db::parse_entry(text, "fuzz/22.toml");
  // An entry is returned exactly when nothing was wrong with the file.
  if (loaded.value.has_value() != loaded.problems.empty()) std::abort();
  return 0;
}
