#include "db/database_loader.hpp"

#include "common/read_file.hpp"

#include "db/entry_loader.hpp"
#include "db/error.hpp"
#include "db/range_loader.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <system_error>
#include <thread>

namespace breakwater::db {
namespace {

std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    if (item.path().extension() == ".toml") out.push_back(item.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Entries are named relative to the data directory's parent, e.g. data/ports/443.toml.
std::string display_name(const std::filesystem::path& file, const std::filesystem::path& dir) {
  return (dir.filename() / file.lexically_relative(dir)).string();
}

// The values of files that loaded, after each file's problems are appended in file order.
template <typename Value, typename Result>
std::vector<Value> take_loaded(std::vector<Result>& results, common::diagnostics& problems) {
  std::vector<Value> out;
  out.reserve(results.size());
  for (Result& r : results) {
    problems.insert(problems.end(), r.problems.begin(), r.problems.end());
    if (r.value) out.push_back(std::move(*r.value));
  }
  return out;
}

// The TOML files, parsed by several threads: TOML parsing is most of the load time and the
// files are independent. Each file is claimed once through `next_`; results land in the
// file's own slot, so what is loaded and the order of the problems never depend on timing.
class toml_jobs {
 public:
  explicit toml_jobs(const std::filesystem::path& data_dir)
      : data_dir_(data_dir),
        entries_(toml_files(data_dir / entries_dir)),
        ranges_(toml_files(data_dir / ranges_dir)),
        entry_results_(entries_.size()),
        range_results_(ranges_.size()) {}

  std::size_t size() const noexcept { return entries_.size() + ranges_.size(); }

  // Claims and parses files until none is left; any number of threads may call it.
  void run() {
    for (std::size_t i = next_++; i < size(); i = next_++) {
      if (i < entries_.size()) {
        entry_results_[i] = load_one<entry_load>(entries_[i], parse_entry);
      } else {
        std::size_t r = i - entries_.size();
        range_results_[r] = load_one<range_load>(ranges_[r], parse_range);
      }
    }
  }

  // After every thread has finished: the loaded values, and each file's problems in file order.
  std::vector<entry> take_entries(common::diagnostics& problems) {
    return take_loaded<entry>(entry_results_, problems);
  }
  std::vector<range_note> take_ranges(common::diagnostics& problems) {
    return take_loaded<range_note>(range_results_, problems);
  }

 private:
  template <typename Result, typename Parse>
  Result load_one(const std::filesystem::path& file, Parse parse) const {
    std::string name = display_name(file, data_dir_);
    auto text = common::read_file(file);
    if (!text) {
      Result failed;
      failed.problems.push_back({name, 0, text.error().message()});
      return failed;
    }
    return parse(*text, name);
  }

  std::filesystem::path data_dir_;
  std::vector<std::filesystem::path> entries_;
  std::vector<std::filesystem::path> ranges_;
  std::vector<entry_load> entry_results_;
  std::vector<range_load> range_results_;
  std::atomic<std::size_t> next_{0};
};

// Helper threads besides the caller's: one per further core, and none for a handful of files.
unsigned helper_threads(std::size_t files) {
  constexpr std::size_t files_per_thread = 32;  // below this a thread costs more than it saves
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto wanted = static_cast<unsigned>(std::min<std::size_t>(files / files_per_thread, 8));
  return std::min(cores - 1, wanted);
}

}  // namespace

boost::system::result<loaded_database> load_database(const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) return make_error_code(errc::data_dir_missing);
  auto registry_path = data_dir / registry_file;
  if (!std::filesystem::exists(registry_path, ec)) return make_error_code(errc::registry_missing);
  // The helpers parse the TOML files while this thread reads the registry, then helps them.
  toml_jobs jobs(data_dir);
  std::vector<std::jthread> helpers;
  try {
    for (unsigned i = helper_threads(jobs.size()); i > 0; --i) {
      helpers.emplace_back([&jobs] { jobs.run(); });
    }
  } catch (const std::system_error&) {
    // No thread could be started (a tight process limit): this thread does all the work.
  }
  auto csv = common::read_file(registry_path);
  auto parsed = csv ? parse_iana_csv(*csv, display_name(registry_path, data_dir))
                    : boost::system::result<iana_import>(csv.error());
  jobs.run();
  helpers.clear();  // joins
  if (!parsed) return parsed.error();

  loaded_database out;
  out.problems = std::move(parsed->problems);
  std::vector<entry> entries = jobs.take_entries(out.problems);
  std::vector<range_note> ranges = jobs.take_ranges(out.problems);
  out.db = std::make_unique<const database>(std::move(parsed->rows), std::move(entries),
                                            std::move(ranges));
  return out;
}

}  // namespace breakwater::db
