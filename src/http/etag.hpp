// Entity tags: a hash of the body, and If-None-Match matching (RFC 9110 section 13.1.2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace breakwater::http {

// 64-bit FNV-1a: fast, and only ever compared with our own earlier tags.
std::uint64_t fnv1a(std::string_view data) noexcept;

// A strong tag such as "\"1f3a9c0d5e7b2a11\"" for these bytes; `suffix` marks another
// representation of them (the gzip one: "-gz").
std::string make_etag(std::string_view body, std::string_view suffix = {});

// True when the If-None-Match value names `etag` (weakly compared) or is "*".
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

}  // namespace breakwater::http
