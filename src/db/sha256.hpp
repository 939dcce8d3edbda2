// SHA-256 of a text, as lower-case hex: how data/iana/SHA256SUMS records IANA's file.
#pragma once

#include <string>
#include <string_view>

namespace breakwater::db {

// 64 lower-case hex digits, the form sha256sum(1) prints.
std::string sha256_hex(std::string_view bytes);

}  // namespace breakwater::db
