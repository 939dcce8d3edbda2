#include "db/entry_loader.hpp"

#include "common/text.hpp"
#include "db/prose_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace breakwater::db {
namespace {

int this_year() {
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day{today}.year());
}

class entry_reader {
 public:
  entry_reader(std::string_view file, common::diagnostics& out) : file_(file), out_(out) {}

  void read(const toml::table& root, std::optional<unsigned> expected_port, entry& e) {
    common::toml_fields f(root, file_, "the entry", out_);
    f.reject_unknown({"port", "title", "summary", "transports", "keywords", "software", "body",
                      "exposure", "related", "incidents", "references"});
    read_port(f, root, expected_port, e);
    read_title_summary_body(f, e.title, e.summary, e.paragraphs);
    e.transports = read_transports(f);
    e.keywords = read_strings(f, "keywords", true);
    e.software = read_strings(f, "software", false);
    if (const toml::table* t = f.table("exposure", common::presence::required))
      read_exposure(*t, e);
    for_each_table(f, "related",
                   [&](const toml::table& t) { read_related(t, file_, out_, e.port, e.related); });
    for_each_table(f, "incidents", [&](const toml::table& t) { read_incident(t, e); });
    for_each_table(f, "references",
                   [&](const toml::table& t) { read_reference(t, file_, out_, e.references); });
  }

 private:
  void read_port(common::toml_fields& f, const toml::table& root, std::optional<unsigned> expected,
                 entry& e) {
    auto port = f.integer("port", common::presence::required);
    if (!port) return;
    const toml::node& at = *root.get("port");
    if (*port < 0 || *port > 65535) {
      f.error(at, fmt::format("port {} is out of range 0-65535", *port));
    } else if (expected && *port != static_cast<std::int64_t>(*expected)) {
      f.error(at,
              fmt::format("port {} does not match the file name (expected {})", *port, *expected));
    } else {
      e.port = static_cast<std::uint16_t>(*port);
    }
  }

  void read_exposure(const toml::table& t, entry& e) {
    common::toml_fields f(t, file_, "[exposure]", out_);
    f.reject_unknown({"level", "advice"});
    if (auto level = f.string("level", common::presence::required)) {
      if (auto parsed = parse_exposure_level(*level)) {
        e.exposure = *parsed;
      } else {
        f.error(*t.get("level"), fmt::format("exposure level '{}' is not one of public, "
                                             "restricted, never, varies",
                                             *level));
      }
    }
    if (auto advice = f.string("advice", common::presence::required))
      e.advice = common::squash_spaces(*advice);
  }

  void read_incident(const toml::table& t, entry& e) {
    common::toml_fields f(t, file_, "an [[incidents]] item", out_);
    f.reject_unknown({"year", "summary", "source"});
    incident i;
    if (auto year = f.integer("year", common::presence::required)) {
      if (*year < 1970 || *year > this_year()) {
        f.error_here(
            fmt::format("incident year {} is not between 1970 and {}", *year, this_year()));
      }
      i.year = static_cast<int>(std::clamp<std::int64_t>(*year, 0, 9999));
    }
    if (auto summary = f.string("summary", common::presence::required))
      i.summary = common::squash_spaces(*summary);
    if (auto source = f.string("source", common::presence::required))
      i.source = std::string(common::trim(*source));
    if (i.source.empty())
      f.error_here("an incident needs a source (CVE id, advisory or CERT note)");
    e.incidents.push_back(std::move(i));
  }

  std::string_view file_;
  common::diagnostics& out_;
};

std::optional<unsigned> port_from_file_name(std::string_view file) {
  std::filesystem::path path(file);
  if (path.extension() != ".toml") return std::nullopt;
  return common::parse_port_number(path.stem().string());
}

}  // namespace

entry_load parse_entry(std::string_view text, std::string_view file) {
  entry_load out;
  auto expected = port_from_file_name(file);
  if (!expected) {
    out.problems.push_back({std::string(file), 0, "entry files must be named N.toml, N the port"});
    return out;
  }
  auto parsed = common::parse_toml(text, file, out.problems);
  if (!parsed) return out;
  const toml::table& root = *parsed;
  entry e;
  e.file = std::string(file);
  entry_reader(file, out.problems).read(root, expected, e);
  if (out.problems.empty()) out.value = std::move(e);
  return out;
}

}  // namespace breakwater::db
