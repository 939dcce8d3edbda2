#include "site/private_paths.hpp"

#include <algorithm>

namespace breakwater::site {

std::string without_scan_ids(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  for (std::string_view prefix : {"/scan/", "/api/v1/scans/", "/api/v1/reach/"}) {
    if (!path.starts_with(prefix) || path.size() == prefix.size()) continue;
    std::size_t end = std::min(path.find('/', prefix.size()), path.size());
    std::string_view id = path.substr(prefix.size(), end - prefix.size());
    if (id == "confirm") break;
    std::string out(prefix);
    out += '*';
    out += path.substr(end);
    return out;
  }
  return std::string(path);
}

}  // namespace breakwater::site
