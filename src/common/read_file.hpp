// A whole file into a string, with the system's reason when it cannot be read.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>

namespace breakwater::common {

// Sized from fstat first (the database loader reads a thousand files), then read to the
// end, so /proc files (which report a size of 0) read whole too.
// The error is the system's own (no such file, permission denied, a directory...).
boost::system::result<std::string> read_file(const std::filesystem::path& path);

}  // namespace breakwater::common
