#include "db/database_loader.hpp"

#include "db/entry_loader.hpp"
#include "db/error.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace breakwater::db {
namespace {

std::vector<std::filesystem::path> entry_files(const std::filesystem::path& dir) {
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
  std::vector<entry> entries;
  for (const auto& file : entry_files(data_dir / entries_dir)) {
    std::string name = display_name(file, data_dir);
    auto text = read_file(file);
    if (!text) {
      out.problems.push_back({name, 0, text.error().message()});
      continue;
    }
    entry_load e = parse_entry(*text, name);
    out.problems.insert(out.problems.end(), e.problems.begin(), e.problems.end());
    if (e.value) entries.push_back(std::move(*e.value));
  }
  out.db = std::make_unique<const database>(std::move(parsed->rows), std::move(entries));
  return out;
}

}  // namespace breakwater::db
