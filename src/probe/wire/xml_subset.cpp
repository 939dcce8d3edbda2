#include "probe/wire/xml_subset.hpp"

#include "common/text.hpp"

#include <charconv>

namespace breakwater::probe {
namespace {

constexpr std::size_t max_children = 64;
constexpr std::size_t max_field = 512;

struct tag {
  std::string_view local_name;
  bool closing = false;
  bool self_closing = false;
  std::size_t begin = 0;  // the '<'
  std::size_t end = 0;    // past the '>'
};

// Past a comment, CDATA section, declaration or processing instruction starting at `at`.
std::size_t skip_markup(std::string_view xml, std::size_t at) {
  std::string_view closer = xml.substr(at).starts_with("<!--")        ? "-->"
                            : xml.substr(at).starts_with("<![CDATA[") ? "]]>"
                                                                      : ">";
  std::size_t e = xml.find(closer, at + 2);
  return e == std::string_view::npos ? xml.size() : e + closer.size();
}

// The tag's '>' outside quoted attribute values.
std::size_t tag_end(std::string_view xml, std::size_t at) {
  char quote = 0;
  for (std::size_t i = at; i < xml.size(); ++i) {
    char c = xml[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::optional<tag> next_tag(std::string_view xml, std::size_t from) {
  std::size_t at = xml.find('<', from);
  while (at != std::string_view::npos && at + 1 < xml.size() &&
         (xml[at + 1] == '!' || xml[at + 1] == '?')) {
    at = xml.find('<', skip_markup(xml, at));
  }
  if (at == std::string_view::npos || at + 1 >= xml.size()) return std::nullopt;
  std::size_t close = tag_end(xml, at);
  if (close == std::string_view::npos) return std::nullopt;
  tag t;
  t.begin = at;
  t.end = close + 1;
  t.closing = xml[at + 1] == '/';
  t.self_closing = !t.closing && xml[close - 1] == '/';
  std::size_t name_start = at + (t.closing ? 2 : 1);
  std::size_t name_end = xml.find_first_of(" \t\r\n/>", name_start);
  std::string_view name = xml.substr(name_start, name_end - name_start);
  if (std::size_t colon = name.rfind(':'); colon != std::string_view::npos)
    name.remove_prefix(colon + 1);
  t.local_name = name;
  return t;
}

// The closing tag matching an opening tag that ends at `from` (same local name, by depth).
std::optional<tag> matching_close(std::string_view xml, std::string_view name, std::size_t from) {
  unsigned depth = 0;
  for (auto t = next_tag(xml, from); t; t = next_tag(xml, t->end)) {
    if (t->local_name != name || t->self_closing) continue;
    if (!t->closing) {
      ++depth;
    } else if (depth == 0) {
      return t;
    } else {
      --depth;
    }
  }
  return std::nullopt;
}

bool holds_elements(std::string_view content) {
  auto t = next_tag(content, 0);
  return t.has_value();
}

std::string clip(std::string text) {
  if (text.size() > max_field) text.resize(max_field);
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text;
}

}  // namespace

std::optional<xml_element> find_element(std::string_view xml, std::string_view local_name,
                                        std::size_t from) {
  for (auto t = next_tag(xml, from); t; t = next_tag(xml, t->end)) {
    if (t->closing || t->local_name != local_name) continue;
    if (t->self_closing) return xml_element{{}, t->end};
    auto close = matching_close(xml, local_name, t->end);
    if (!close) return std::nullopt;
    return xml_element{xml.substr(t->end, close->begin - t->end), close->end};
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> text_children(std::string_view content) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (out.size() < max_children) {
    auto t = next_tag(content, pos);
    if (!t) break;
    pos = t->end;
    if (t->closing) continue;  // a stray closing tag
    std::string name = clip(std::string(t->local_name));
    if (t->self_closing) {
      out.emplace_back(std::move(name), std::string{});
      continue;
    }
    auto close = matching_close(content, t->local_name, t->end);
    if (!close) break;
    std::string_view inner = content.substr(t->end, close->begin - t->end);
    pos = close->end;
    if (holds_elements(inner)) continue;
    out.emplace_back(std::move(name), clip(xml_unescape(common::trim(inner))));
  }
  return out;
}

std::optional<std::pair<std::string, std::string_view>> first_child(std::string_view content) {
  auto t = next_tag(content, 0);
  if (!t || t->closing) return std::nullopt;
  std::string name(t->local_name);
  if (t->self_closing) return std::pair{name, std::string_view{}};
  auto close = matching_close(content, t->local_name, t->end);
  if (!close) return std::nullopt;
  return std::pair{name, content.substr(t->end, close->begin - t->end)};
}

std::string xml_unescape(std::string_view text) {
  static constexpr std::pair<std::string_view, char> named[] = {
      {"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    std::string_view rest = text.substr(i + 1);
    bool done = false;
    for (const auto& [entity, c] : named) {
      if (rest.starts_with(entity)) {
        out += c;
        i += entity.size();
        done = true;
        break;
      }
    }
    std::size_t semi = rest.find(';');
    if (!done && rest.starts_with('#') && semi != std::string_view::npos && semi < 8) {
      bool hex = rest.size() > 1 && (rest[1] == 'x' || rest[1] == 'X');
      std::string_view digits = rest.substr(hex ? 2 : 1, semi - (hex ? 2 : 1));
      unsigned v = 0;
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
      if (r.ec == std::errc{} && r.ptr == digits.data() + digits.size() && v > 0 && v < 128) {
        out += static_cast<char>(v);
        i += semi + 1;
        done = true;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

}  // namespace breakwater::probe
