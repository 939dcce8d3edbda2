#include "db/prose_fields.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

namespace breakwater::db {

std::vector<std::string> split_paragraphs(std::string_view body) {
  // A paragraph runs until a blank line; squash_spaces turns its line breaks into spaces.
  std::vector<std::string> out;
  std::size_t start = 0, line = 0;
  while (line <= body.size()) {
    std::size_t end = std::min(body.find('\n', line), body.size());
    if (common::trim(body.substr(line, end - line)).empty()) {
      if (std::string p = common::squash_spaces(body.substr(start, line - start)); !p.empty()) {
        out.push_back(std::move(p));
      }
      start = end + 1;
    }
    line = end + 1;
  }
  if (start < body.size()) {
    if (std::string p = common::squash_spaces(body.substr(start)); !p.empty())
      out.push_back(std::move(p));
  }
  return out;
}

void read_title_summary_body(common::toml_fields& f, std::string& title, std::string& summary,
                             std::vector<std::string>& paragraphs) {
  if (auto text = f.string("title", common::presence::required)) {
    title = common::squash_spaces(*text);
    if (title.empty() || title.size() > max_title) {
      f.error_here(fmt::format("'title' must be 1-{} characters", max_title));
    }
  }
  if (auto text = f.string("summary", common::presence::required)) {
    summary = std::string(common::trim(*text));
    if (summary.empty() || summary.size() > max_summary ||
        summary.find('\n') != std::string::npos) {
      f.error_here(fmt::format("'summary' must be one line of 1-{} characters (it has {})",
                               max_summary, summary.size()));
    }
  }
  if (auto body = f.string("body", common::presence::required)) {
    paragraphs = split_paragraphs(*body);
    if (paragraphs.empty()) f.error_here("'body' is empty");
  }
}

std::vector<transport> read_transports(common::toml_fields& f) {
  std::vector<transport> out;
  const toml::array* list = f.array("transports", common::presence::required);
  if (list == nullptr) return out;
  for (const toml::node& n : *list) {
    auto t = n.value<std::string>();
    auto proto = t ? parse_transport(*t) : std::nullopt;
    if (!proto || !n.is_string()) {
      f.error(n, "transports must be \"tcp\", \"udp\", \"sctp\" or \"dccp\"");
    } else if (std::find(out.begin(), out.end(), *proto) != out.end()) {
      f.error(n, fmt::format("transport '{}' is listed twice", *t));
    } else {
      out.push_back(*proto);
    }
  }
  if (list->empty()) f.error(*list, "'transports' must name at least one transport");
  return out;
}

std::vector<std::string> read_strings(common::toml_fields& f, std::string_view key, bool lower) {
  std::vector<std::string> out;
  const toml::array* list = f.array(key, common::presence::optional);
  if (list == nullptr) return out;
  for (const toml::node& n : *list) {
    if (!n.is_string()) {
      f.error(n, fmt::format("every item of '{}' must be a string", key));
      continue;
    }
    std::string value = common::squash_spaces(*n.value<std::string>());
    if (value.empty()) {
      f.error(n, fmt::format("'{}' has an empty item", key));
      continue;
    }
    out.push_back(lower ? common::to_lower(value) : std::move(value));
  }
  return out;
}

void read_related(const toml::table& t, std::string_view file, common::diagnostics& out,
                  std::optional<std::uint16_t> self, std::vector<related_port>& list) {
  common::toml_fields f(t, file, "a [[related]] item", out);
  f.reject_unknown({"port", "reason"});
  auto port = f.integer("port", common::presence::required);
  auto reason = f.string("reason", common::presence::required);
  if (!port) return;
  if (*port < 0 || *port > 65535) {
    f.error_here(fmt::format("related port {} is out of range 0-65535", *port));
    return;
  }
  auto p = static_cast<std::uint16_t>(*port);
  auto same = [p](const related_port& r) { return r.port == p; };
  if (self && p == *self) {
    f.error_here(fmt::format("port {} is listed as related to itself", p));
  } else if (std::any_of(list.begin(), list.end(), same)) {
    f.error_here(fmt::format("related port {} is listed twice", p));
  } else {
    list.push_back(
        {p, reason ? common::squash_spaces(*reason) : std::string{}, common::line_of(t)});
  }
}

void read_reference(const toml::table& t, std::string_view file, common::diagnostics& out,
                    std::vector<reference>& list) {
  common::toml_fields f(t, file, "a [[references]] item", out);
  f.reject_unknown({"id", "title"});
  reference r;
  if (auto id = f.string("id", common::presence::required)) r.id = std::string(common::trim(*id));
  if (auto title = f.string("title", common::presence::optional))
    r.title = common::squash_spaces(*title);
  static const std::regex rfc_form("RFC [1-9][0-9]*");
  if (r.id.size() >= 3 && common::iequals(std::string_view(r.id).substr(0, 3), "rfc") &&
      !std::regex_match(r.id, rfc_form)) {
    f.error_here(fmt::format("write RFC references as 'RFC N', not '{}'", r.id));
  }
  list.push_back(std::move(r));
}

}  // namespace breakwater::db
