#include "db/entry_loader.hpp"

#include "db/text.hpp"
#include "db/toml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>

namespace breakwater::db {
namespace {

constexpr std::size_t max_summary = 160;
constexpr std::size_t max_title = 100;

int this_year() {
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day{today}.year());
}

std::vector<std::string> split_paragraphs(std::string_view body) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (std::string p = squash_spaces(current); !p.empty()) out.push_back(std::move(p));
    current.clear();
  };
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = std::min(body.find('\n', start), body.size());
    std::string_view line = body.substr(start, end - start);
    if (trim(line).empty()) {
      flush();
    } else {
      current.append(line).push_back(' ');
    }
    start = end + 1;
  }
  flush();
  return out;
}

class entry_reader {
 public:
  entry_reader(std::string_view file, diagnostics& out) : file_(file), out_(out) {}

  void read(const toml::table& root, std::optional<unsigned> expected_port, entry& e) {
    toml_fields f(root, file_, "the entry", out_);
    f.reject_unknown({"port", "title", "summary", "transports", "keywords", "software", "body",
                      "exposure", "related", "incidents", "references"});
    read_port(f, root, expected_port, e);
    read_text(f, e);
    read_transports(f, e);
    e.keywords = strings(f, "keywords");
    e.software = strings(f, "software");
    if (const toml::table* t = f.table("exposure", presence::required)) read_exposure(*t, e);
    for_each_table(f, "related", [&](const toml::table& t) { read_related(t, e); });
    for_each_table(f, "incidents", [&](const toml::table& t) { read_incident(t, e); });
    for_each_table(f, "references", [&](const toml::table& t) { read_reference(t, e); });
  }

 private:
  void read_port(toml_fields& f, const toml::table& root, std::optional<unsigned> expected,
                 entry& e) {
    auto port = f.integer("port", presence::required);
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

  void read_text(toml_fields& f, entry& e) {
    if (auto title = f.string("title", presence::required)) {
      e.title = squash_spaces(*title);
      if (e.title.empty() || e.title.size() > max_title) {
        f.error_here(fmt::format("'title' must be 1-{} characters", max_title));
      }
    }
    if (auto summary = f.string("summary", presence::required)) {
      e.summary = std::string(trim(*summary));
      if (e.summary.empty() || e.summary.size() > max_summary ||
          e.summary.find('\n') != std::string::npos) {
        f.error_here(fmt::format("'summary' must be one line of 1-{} characters (it has {})",
                                 max_summary, e.summary.size()));
      }
    }
    if (auto body = f.string("body", presence::required)) {
      e.paragraphs = split_paragraphs(*body);
      if (e.paragraphs.empty()) f.error_here("'body' is empty");
    }
  }

  void read_transports(toml_fields& f, entry& e) {
    const toml::array* list = f.array("transports", presence::required);
    if (list == nullptr) return;
    for (const toml::node& n : *list) {
      auto t = n.value<std::string>();
      auto proto = t ? parse_transport(*t) : std::nullopt;
      if (!proto || !n.is_string()) {
        f.error(n, "transports must be \"tcp\", \"udp\", \"sctp\" or \"dccp\"");
      } else if (std::find(e.transports.begin(), e.transports.end(), *proto) !=
                 e.transports.end()) {
        f.error(n, fmt::format("transport '{}' is listed twice", *t));
      } else {
        e.transports.push_back(*proto);
      }
    }
    if (list->empty()) f.error(*list, "'transports' must name at least one transport");
  }

  std::vector<std::string> strings(toml_fields& f, std::string_view key) {
    std::vector<std::string> out;
    const toml::array* list = f.array(key, presence::optional);
    if (list == nullptr) return out;
    for (const toml::node& n : *list) {
      if (n.is_string()) {
        out.push_back(to_lower(trim(*n.value<std::string>())));
      } else {
        f.error(n, fmt::format("every item of '{}' must be a string", key));
      }
    }
    return out;
  }

  void read_exposure(const toml::table& t, entry& e) {
    toml_fields f(t, file_, "[exposure]", out_);
    f.reject_unknown({"level", "advice"});
    if (auto level = f.string("level", presence::required)) {
      if (auto parsed = parse_exposure_level(*level)) {
        e.exposure = *parsed;
      } else {
        f.error(*t.get("level"), fmt::format("exposure level '{}' is not one of public, "
                                             "restricted, never, varies",
                                             *level));
      }
    }
    if (auto advice = f.string("advice", presence::required)) e.advice = squash_spaces(*advice);
  }

  void read_related(const toml::table& t, entry& e) {
    toml_fields f(t, file_, "a [[related]] item", out_);
    f.reject_unknown({"port", "reason"});
    auto port = f.integer("port", presence::required);
    auto reason = f.string("reason", presence::required);
    if (!port) return;
    if (*port < 0 || *port > 65535) {
      f.error_here(fmt::format("related port {} is out of range 0-65535", *port));
      return;
    }
    auto p = static_cast<std::uint16_t>(*port);
    auto same = [p](const related_port& r) { return r.port == p; };
    if (p == e.port) {
      f.error_here(fmt::format("port {} is listed as related to itself", p));
    } else if (std::any_of(e.related.begin(), e.related.end(), same)) {
      f.error_here(fmt::format("related port {} is listed twice", p));
    } else {
      e.related.push_back({p, reason ? squash_spaces(*reason) : std::string{}, line_of(t)});
    }
  }

  void read_incident(const toml::table& t, entry& e) {
    toml_fields f(t, file_, "an [[incidents]] item", out_);
    f.reject_unknown({"year", "summary", "source"});
    incident i;
    if (auto year = f.integer("year", presence::required)) {
      if (*year < 1970 || *year > this_year()) {
        f.error_here(
            fmt::format("incident year {} is not between 1970 and {}", *year, this_year()));
      }
      i.year = static_cast<int>(std::clamp<std::int64_t>(*year, 0, 9999));
    }
    if (auto summary = f.string("summary", presence::required)) i.summary = squash_spaces(*summary);
    if (auto source = f.string("source", presence::required)) i.source = std::string(trim(*source));
    if (i.source.empty())
      f.error_here("an incident needs a source (CVE id, advisory or CERT note)");
    e.incidents.push_back(std::move(i));
  }

  void read_reference(const toml::table& t, entry& e) {
    toml_fields f(t, file_, "a [[references]] item", out_);
    f.reject_unknown({"id", "title"});
    reference r;
    if (auto id = f.string("id", presence::required)) r.id = std::string(trim(*id));
    if (auto title = f.string("title", presence::optional)) r.title = squash_spaces(*title);
    static const std::regex rfc_form("RFC [1-9][0-9]*");
    if (r.id.size() >= 3 && iequals(std::string_view(r.id).substr(0, 3), "rfc") &&
        !std::regex_match(r.id, rfc_form)) {
      f.error_here(fmt::format("write RFC references as 'RFC N', not '{}'", r.id));
    }
    e.references.push_back(std::move(r));
  }

  template <typename Fn>
  void for_each_table(toml_fields& f, std::string_view key, Fn fn) {
    const toml::array* list = f.array(key, presence::optional);
    if (list == nullptr) return;
    for (const toml::node& n : *list) {
      if (const toml::table* t = n.as_table()) {
        fn(*t);
      } else {
        f.error(n, fmt::format("every item of '{}' must be a table ([[{}]])", key, key));
      }
    }
  }

  std::string_view file_;
  diagnostics& out_;
};

std::optional<unsigned> port_from_file_name(std::string_view file) {
  std::filesystem::path path(file);
  if (path.extension() != ".toml") return std::nullopt;
  return parse_port_number(path.stem().string());
}

}  // namespace

entry_load parse_entry(std::string_view text, std::string_view file) {
  entry_load out;
  auto expected = port_from_file_name(file);
  if (!expected) {
    out.problems.push_back({std::string(file), 0, "entry files must be named N.toml, N the port"});
    return out;
  }
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& err) {
    out.problems.push_back({std::string(file), err.source().begin.line,
                            fmt::format("TOML syntax error: {}", err.description())});
    return out;
  }
  entry e;
  e.file = std::string(file);
  entry_reader(file, out.problems).read(root, expected, e);
  if (out.problems.empty()) out.value = std::move(e);
  return out;
}

}  // namespace breakwater::db
