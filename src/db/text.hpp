// Small text helpers shared by the parsers, the checks and the search index.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::db {

bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text) noexcept;

// Collapses every run of white space (newlines included) into one space.
std::string squash_spaces(std::string_view text);

// Number of white-space separated words.
std::size_t count_words(std::string_view text) noexcept;

// Splits prose into sentences at ". ", "! " and "? " followed by a capital, digit or quote.
std::vector<std::string> split_sentences(std::string_view text);

// Lower-case alphanumeric words ("HTTP/3 over TLS" -> http, 3, over, tls).
std::vector<std::string> tokenize(std::string_view text);

// A port number written in decimal: digits only, 0-65535.
std::optional<unsigned> parse_port_number(std::string_view text) noexcept;

}  // namespace breakwater::db
