#include "probe/backend_kind.hpp"

namespace breakwater::probe {

std::optional<backend_kind> parse_backend_kind(std::string_view name) noexcept {
  if (name == "auto") return backend_kind::automatic;
  if (name == "connect") return backend_kind::connect;
  if (name == "raw") return backend_kind::raw_syn;
  return std::nullopt;
}

std::string_view to_string(backend_kind k) noexcept {
  switch (k) {
    case backend_kind::automatic: return "auto";
    case backend_kind::connect: return "connect";
    case backend_kind::raw_syn: return "raw";
  }
  return "auto";
}

}  // namespace breakwater::probe
