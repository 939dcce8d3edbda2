// A file descriptor closed on every path out, and errno as an error_code: the file readers
// and writers of common/ share them.
#pragma once

#include <unistd.h>

#include <boost/system/error_code.hpp>

#include <cerrno>
#include <utility>

namespace breakwater::common::detail {

inline boost::system::error_code last_error() { return {errno, boost::system::system_category()}; }

// Closes the descriptor when it goes, unless release_and_close() closed (and checked) it.
struct descriptor {
  int fd;
  explicit descriptor(int opened) noexcept : fd(opened) {}
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  ~descriptor() {
    if (fd >= 0) ::close(fd);
  }
  int release_and_close() { return ::close(std::exchange(fd, -1)); }
};

}  // namespace breakwater::common::detail
