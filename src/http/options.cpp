#include "http/options.hpp"

#include <fmt/format.h>

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

boost::system::result<common::cidr_list, std::string> parse_trusted_proxies(
    const std::vector<std::string>& items) {
  auto list = common::parse_cidr_list(items);
  if (!list) return list.error();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const common::cidr& block = list->items()[i];
    const unsigned widest = block.base.v6 ? max_trusted_v6_block : max_trusted_v4_block;
    if (block.prefix < widest) {
      return fmt::format(
          "\u201c{}\u201d is too wide to trust: every address in it could name any client and "
          "have this server probe anyone. List the proxies' own addresses, or a block no wider "
          "than /{}",
          items[i], widest);
    }
  }
  return list;
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
