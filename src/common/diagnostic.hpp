// A problem found in a data file, located by file and line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace breakwater::common {

struct diagnostic {
  std::string file;
  std::size_t line = 0;  // 1-based; 0 when the problem is about the whole file
  std::string message;
};

// "file:line: message" (or "file: message" when there is no line).
std::string to_string(const diagnostic& d);

using diagnostics = std::vector<diagnostic>;

}  // namespace breakwater::common
