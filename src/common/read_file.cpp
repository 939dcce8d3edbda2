#include "common/read_file.hpp"

#include "common/detail/descriptor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace breakwater::common {

using detail::descriptor;
using detail::last_error;

boost::system::result<std::string> read_file(const std::filesystem::path& path) {
  descriptor f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return last_error();
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return last_error();
  if (S_ISDIR(st.st_mode))
    return boost::system::error_code(EISDIR, boost::system::system_category());
  // The size is a first guess: /proc files report 0, and a file may grow while read.
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t done = 0;
  for (;;) {
    if (done == text.size()) text.resize(text.size() * 2);
    ssize_t n = ::read(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  return text;
}

}  // namespace breakwater::common
