#include "db/range_loader.hpp"

#include "db/prose_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace breakwater::db {
namespace {

// Ids appear in JSON and in URLs' fragments, so they are kept to a safe alphabet.
std::optional<std::string> id_from_file_name(std::string_view file) {
  std::filesystem::path path(file);
  if (path.extension() != ".toml") return std::nullopt;
  std::string id = path.stem().string();
  auto safe = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  if (id.empty() || id.front() == '-' || !std::all_of(id.begin(), id.end(), safe)) {
    return std::nullopt;
  }
  return id;
}

std::optional<std::uint16_t> read_bound(common::toml_fields& f, const toml::table& root,
                                        std::string_view key) {
  auto value = f.integer(key, common::presence::required);
  if (!value) return std::nullopt;
  if (*value < 0 || *value > 65535) {
    f.error(*root.get(key), fmt::format("'{}' {} is out of range 0-65535", key, *value));
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(*value);
}

void read_range(const toml::table& root, std::string_view file, common::diagnostics& out,
                range_note& r) {
  common::toml_fields f(root, file, "the range", out);
  f.reject_unknown({"lo", "hi", "title", "summary", "transports", "keywords", "body", "exclusive",
                    "related", "references"});
  auto lo = read_bound(f, root, "lo");
  auto hi = read_bound(f, root, "hi");
  if (lo && hi) {
    r.lo = *lo;
    r.hi = *hi;
    r.line = common::line_of(*root.get("lo"));
    if (*lo >= *hi) {
      f.error(*root.get("hi"),
              fmt::format("'hi' ({}) must be above 'lo' ({}): a single port is an entry in "
                          "data/ports, not a range",
                          *hi, *lo));
    }
  }
  read_title_summary_body(f, r.title, r.summary, r.paragraphs);
  r.transports = read_transports(f);
  r.keywords = read_strings(f, "keywords", true);
  r.exclusive = f.boolean("exclusive", common::presence::optional).value_or(false);
  for_each_table(f, "related", [&](const toml::table& t) {
    read_related(t, file, out, std::nullopt, r.related);
  });
  for_each_table(f, "references",
                 [&](const toml::table& t) { read_reference(t, file, out, r.references); });
}

}  // namespace

range_load parse_range(std::string_view text, std::string_view file) {
  range_load out;
  auto id = id_from_file_name(file);
  if (!id) {
    out.problems.push_back({std::string(file), 0,
                            "range files must be named with lower-case letters, digits and "
                            "dashes, then .toml (for example linux-ephemeral.toml)"});
    return out;
  }
  auto parsed = common::parse_toml(text, file, out.problems);
  if (!parsed) return out;
  const toml::table& root = *parsed;
  range_note r;
  r.id = std::move(*id);
  r.file = std::string(file);
  read_range(root, file, out.problems, r);
  if (out.problems.empty()) out.value = std::move(r);
  return out;
}

}  // namespace breakwater::db
