// data/iana/SHA256SUMS: the checksum recorded for the shipped copy of IANA's file, in the
// format sha256sum(1) writes and `sha256sum -c` reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::db {

inline constexpr std::string_view registry_sums_file = "iana/SHA256SUMS";

// "<64 hex digits>  service-names-port-numbers.csv\n"
std::string registry_sums_text(std::string_view sha256);

// The checksum recorded for service-names-port-numbers.csv, or nullopt when no line of
// `text` names that file with a well-formed checksum.
std::optional<std::string> recorded_registry_sha256(std::string_view text);

}  // namespace breakwater::db
