#include "probe/detail/fd_limit.hpp"

#include <sys/resource.h>

namespace breakwater::probe {

std::size_t raise_fd_limit() noexcept {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit want = lim;
    want.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
  }
  return lim.rlim_cur == RLIM_INFINITY ? 1u << 20 : static_cast<std::size_t>(lim.rlim_cur);
}

}  // namespace breakwater::probe
