#include "app/context.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace breakwater::app {
namespace {

std::optional<std::filesystem::path> installed_data_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  auto dir = exe.parent_path().parent_path() / "share" / "breakwater" / "data";
  if (std::filesystem::is_directory(dir, ec)) return dir;
  return std::nullopt;
}

// Read at start-up, before any thread exists.
const char* data_env() {
  const char* env = std::getenv("BREAKWATER_DATA");  // NOLINT(concurrency-mt-unsafe)
  return env != nullptr && *env != '\0' ? env : nullptr;
}

}  // namespace

std::filesystem::path context::data_dir() const {
  if (!data_dir_option.empty()) return data_dir_option;
  if (const char* env = data_env()) return env;
  if (auto dir = installed_data_dir()) return *dir;
  return BREAKWATER_SOURCE_DATA_DIR;
}

bool context::data_dir_is_installed() const {
  return data_dir_option.empty() && data_env() == nullptr && installed_data_dir().has_value();
}

const db::database* context::database() {
  if (loaded_) return loaded_->db.get();
  auto dir = data_dir();
  auto result = db::load_database(dir);
  if (!result) {
    fmt::print(stderr, "error: cannot load the port database from {}: {}\n", dir.string(),
               result.error().message());
    return nullptr;
  }
  loaded_ = std::move(*result);
  if (!loaded_->problems.empty() && !quiet_problems) {
    fmt::print(stderr,
               "warning: {} problem(s) in the data were skipped; run 'breakwater db check'\n",
               loaded_->problems.size());
  }
  return loaded_->db.get();
}

const db::search_index& context::search() {
  if (!search_) search_ = std::make_unique<db::search_index>(*loaded_->db);
  return *search_;
}

}  // namespace breakwater::app
