#include "http/forwarded.hpp"

#include "common/cidr.hpp"

namespace breakwater::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Splits on `sep` outside double quotes. A quote left open makes the whole value unusable
// (nothing is returned): otherwise a client's `x="` would swallow the elements a proxy
// appends after it, and its own `for=` would be read as the proxy's.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == '\\' && quoted) ++i;
    if (i < s.size() && s[i] == sep && !quoted) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return {};
  out.push_back(s.substr(std::min(start, s.size())));
  return out;
}

}  // namespace

std::optional<std::string> node_address(std::string_view node) {
  node = trim(node);
  if (node.starts_with('[')) {
    std::size_t close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    node = node.substr(1, close - 1);
  } else if (node.find(':') == node.rfind(':') && node.find(':') != std::string_view::npos) {
    node = node.substr(0, node.find(':'));  // IPv4 with a port
  }
  auto ip = common::parse_ip(node);
  if (!ip) return std::nullopt;
  return to_string(*ip);
}

forwarded_hops parse_x_forwarded_for(std::string_view value) {
  forwarded_hops out;
  for (std::string_view part : split(value, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    out.push_back(node_address(part));
  }
  return out;
}

forwarded_hops parse_forwarded(std::string_view value) {
  forwarded_hops out;
  for (std::string_view element : split(value, ',')) {
    if (trim(element).empty()) continue;
    std::optional<std::string> hop;
    for (std::string_view pair : split(element, ';')) {
      pair = trim(pair);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || !iequals(trim(pair.substr(0, eq)), "for")) continue;
      std::string_view v = trim(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      hop = node_address(v);
      break;
    }
    out.push_back(hop);
  }
  return out;
}

}  // namespace breakwater::http
