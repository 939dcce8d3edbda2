// Transport protocols that IANA registers ports for.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace breakwater::db {

enum class transport { tcp, udp, sctp, dccp };

inline constexpr std::array<transport, 4> all_transports{transport::tcp, transport::udp,
                                                         transport::sctp, transport::dccp};

std::string_view to_string(transport t) noexcept;

// Accepts any letter case ("TCP", "tcp"); nullopt for anything else.
std::optional<transport> parse_transport(std::string_view text) noexcept;

}  // namespace breakwater::db
