// A whole file into a string, with the system's reason when it cannot be read.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>

namespace breakwater::common {

// One read into a string of the file's size (the database loader reads a thousand files).
// The error is the system's own (no such file, permission denied, a directory...).
boost::system::result<std::string> read_file(const std::filesystem::path& path);

}  // namespace breakwater::common
