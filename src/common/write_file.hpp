// A whole file replaced in one step: readers (and the next run after a crash or a full disk)
// see the old content or the new, never a file cut short.
#pragma once

#include <boost/system/result.hpp>

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace breakwater::common {

// Writes `text` to a new file beside `path` (same directory, so the rename cannot cross file
// systems), flushes it to disk, renames it over `path`, then flushes the directory so the
// rename itself survives a power cut. The new file is created with `mode` (less the umask)
// and never through a link. On error `path` is left as it was and no temporary file stays;
// the error is the system's own.
boost::system::result<void> write_file_atomically(const std::filesystem::path& path,
                                                  std::string_view text, mode_t mode = 0666);

}  // namespace breakwater::common
