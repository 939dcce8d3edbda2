#include "db/database_loader.hpp"

#include "db/entry_loader.hpp"
#include "db/error.hpp"
#include "db/range_loader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

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

// Parses every .toml file of one directory; files with errors are reported and left out.
template <typename T, typename Parse>
std::vector<T> load_each(const std::filesystem::path& data_dir, std::string_view sub, Parse parse,
                         diagnostics& problems) {
  std::vector<T> out;
  for (const auto& file : toml_files(data_dir / sub)) {
    std::string name = display_name(file, data_dir);
    auto text = read_file(file);
    if (!text) {
      problems.push_back({name, 0, text.error().message()});
      continue;
    }
    auto loaded = parse(*text, name);
    problems.insert(problems.end(), loaded.problems.begin(), loaded.problems.end());
    if (loaded.value) out.push_back(std::move(*loaded.value));
  }
  return out;
}

}  // namespace

boost::system::result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error_code(errc::registry_unreadable);
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

boost::system::result<loaded_database> load_database(const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) return make_error_code(errc::data_dir_missing);
  auto registry_path = data_dir / registry_file;
  if (!std::filesystem::exists(registry_path, ec)) return make_error_code(errc::registry_missing);
  auto csv = read_file(registry_path);
  if (!csv) return csv.error();
  auto parsed = parse_iana_csv(*csv, display_name(registry_path, data_dir));
  if (!parsed) return parsed.error();

  loaded_database out;
  out.problems = std::move(parsed->problems);
  std::vector<entry> entries = load_each<entry>(data_dir, entries_dir, parse_entry, out.problems);
  std::vector<range_note> ranges =
      load_each<range_note>(data_dir, ranges_dir, parse_range, out.problems);
  out.db = std::make_unique<const database>(std::move(parsed->rows), std::move(entries),
                                            std::move(ranges));
  return out;
}

}  // namespace breakwater::db
