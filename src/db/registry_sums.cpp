#include "db/registry_sums.hpp"

#include "common/text.hpp"
#include "db/database_loader.hpp"

#include <algorithm>
#include <filesystem>

namespace breakwater::db {
namespace {

std::string registry_file_name() {
  return std::filesystem::path(registry_file).filename().string();
}

bool is_hex_digest(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string registry_sums_text(std::string_view sha256) {
  return std::string(sha256) + "  " + registry_file_name() + "\n";
}

std::optional<std::string> recorded_registry_sha256(std::string_view text) {
  const std::string name = registry_file_name();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = common::trim(text.substr(start, end - start));
    start = end + 1;
    // sha256sum writes "HASH  NAME", or "HASH *NAME" in binary mode.
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view hash = line.substr(0, space);
    std::string_view file = common::trim(line.substr(space));
    if (file.starts_with('*')) file.remove_prefix(1);
    if (file == name && is_hex_digest(common::to_lower(hash))) return common::to_lower(hash);
  }
  return std::nullopt;
}

}  // namespace breakwater::db
