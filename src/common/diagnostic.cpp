#include "common/diagnostic.hpp"

#include <fmt/format.h>

namespace breakwater::common {

std::string to_string(const diagnostic& d) {
  if (d.line == 0) return fmt::format("{}: {}", d.file, d.message);
  return fmt::format("{}:{}: {}", d.file, d.line, d.message);
}

}  // namespace breakwater::common
