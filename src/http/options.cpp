#include "http/options.hpp"

namespace breakwater::http {

std::string_view to_string(client_header h) noexcept {
  switch (h) {
    case client_header::x_forwarded_for: return "x-forwarded-for";
    case client_header::forwarded: return "forwarded";
    case client_header::x_real_ip: return "x-real-ip";
    case client_header::none: return "none";
  }
  return "none";
}

bool parse_client_header(std::string_view text, client_header& out) noexcept {
  for (client_header h : {client_header::x_forwarded_for, client_header::forwarded,
                          client_header::x_real_ip, client_header::none}) {
    if (text == to_string(h)) {
      out = h;
      return true;
    }
  }
  return false;
}

}  // namespace breakwater::http
