#include "probe/probers/socket_errors.hpp"

#include <cerrno>

namespace breakwater::probe {

bool is_transient_socket_error(const boost::system::error_code& ec) noexcept {
  using boost::system::error_code;
  using boost::system::system_category;
  return ec == error_code(EMFILE, system_category()) ||
         ec == error_code(ENOBUFS, system_category()) ||
         ec == error_code(ENOMEM, system_category()) ||
         ec == error_code(EADDRNOTAVAIL, system_category()) ||
         ec == error_code(ENFILE, system_category());
}

}  // namespace breakwater::probe
