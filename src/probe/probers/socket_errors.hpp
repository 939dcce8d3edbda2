// Which socket errors are this host's passing shortage rather than the target's answer. (What
// the kernel knows about a failed send or connect, the ICMP error queued on the socket, is
// read by probe/icmp_error_queue.)
#pragma once

#include <boost/system/error_code.hpp>

namespace breakwater::probe {

// Out of descriptors, buffers or local ports: this host's passing shortage, not the target's
// answer; worth trying again after a pause.
bool is_transient_socket_error(const boost::system::error_code& ec) noexcept;

}  // namespace breakwater::probe
