#include "common/write_file.hpp"

#include "common/detail/descriptor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

namespace breakwater::common {
namespace {

using detail::descriptor;
using detail::last_error;

// O_EXCL|O_NOFOLLOW: never writes through a link someone placed at the temporary name. The
// process id keeps two writers of one file (two cron runs) off each other's temporary file;
// one with our id is left by a process that died, and is ours to remove.
int open_temporary(const std::filesystem::path& tmp, mode_t mode) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(tmp.c_str(), flags, mode);
  if (fd < 0 && errno == EEXIST) {
    ::unlink(tmp.c_str());
    fd = ::open(tmp.c_str(), flags, mode);
  }
  return fd;
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      errno = EIO;  // a write that makes no progress: the disk will not take more
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Best effort: some file systems refuse fsync on a directory; the rename is done either way.
void sync_directory(const std::filesystem::path& dir) {
  descriptor d{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);
}

}  // namespace

boost::system::result<void> write_file_atomically(const std::filesystem::path& path,
                                                  std::string_view text, mode_t mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  descriptor f{open_temporary(tmp, mode)};
  if (f.fd < 0) return last_error();
  bool written = write_all(f.fd, text) && ::fsync(f.fd) == 0;
  boost::system::error_code ec = written ? boost::system::error_code{} : last_error();
  if (f.release_and_close() != 0 && !ec) ec = last_error();
  if (!ec && ::rename(tmp.c_str(), path.c_str()) != 0) ec = last_error();
  if (ec) {
    ::unlink(tmp.c_str());
    return ec;
  }
  sync_directory(path.parent_path());
  return {};
}

}  // namespace breakwater::common
