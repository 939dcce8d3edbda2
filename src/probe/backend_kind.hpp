// Which prober backend scans use, by the name config files and the CLI give it.
#pragma once

#include <optional>
#include <string_view>

namespace breakwater::probe {

enum class backend_kind {
  automatic,  // raw SYN where this process may open raw sockets, else connect
  connect,    // a connect() per probe: no privilege needed
  raw_syn,    // SYNs from a raw socket: root or CAP_NET_RAW
};

// "auto", "connect" or "raw".
std::optional<backend_kind> parse_backend_kind(std::string_view name) noexcept;
std::string_view to_string(backend_kind k) noexcept;

}  // namespace breakwater::probe
