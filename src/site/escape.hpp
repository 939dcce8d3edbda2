// The one escaping helper for text placed in HTML, plus URL query encoding and decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::site {

// Appends `text` with & < > " ' replaced by entities: safe in element content and in
// double- or single-quoted attribute values. Every piece of text in a page goes through it.
void append_escaped(std::string& out, std::string_view text);
std::string escape_html(std::string_view text);

// Percent-encodes everything but unreserved characters (RFC 3986), for query values.
std::string encode_query_value(std::string_view text);

// Decodes %XX and '+' (as space). Empty optional on a malformed escape.
std::optional<std::string> decode_query_value(std::string_view text);

// The raw value of `key` in a query string "a=1&b=2" (first match), still encoded.
std::optional<std::string_view> query_param(std::string_view query, std::string_view key);

}  // namespace breakwater::site
