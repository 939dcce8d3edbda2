// The unprivileged backend: a non-blocking connect() per try; open ports are reset at once.
// It does not linger (probe_try::linger): a socket kept connecting past the try's timeout
// would have its SYN sent again by the kernel a second in, and the error that one drew would
// spend another of the target's tokens.
#pragma once

#include "probe/probers/coroutine_prober.hpp"

namespace breakwater::probe {

class tcp_connect_prober final : public coroutine_prober {
 public:
  boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target, std::uint16_t port,
                                              duration timeout) override;
};

}  // namespace breakwater::probe
