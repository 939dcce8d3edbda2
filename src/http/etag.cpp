#include "http/etag.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

namespace breakwater::http {

std::uint64_t fnv1a(std::string_view data) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string make_etag(std::string_view body, std::string_view suffix) {
  return fmt::format("\"{:016x}{}\"", fnv1a(body), suffix);
}

namespace {

std::string_view opaque(std::string_view tag) noexcept {
  tag = common::trim(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept {
  if (common::trim(if_none_match) == "*") return true;
  while (!if_none_match.empty()) {
    std::size_t comma = if_none_match.find(',');
    if (opaque(if_none_match.substr(0, comma)) == opaque(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace breakwater::http
