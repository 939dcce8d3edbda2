// The unprivileged backend: a non-blocking connect() per try; open ports are reset at once.
#pragma once

#include "probe/probers/coroutine_prober.hpp"

namespace breakwater::probe {

class tcp_connect_prober final : public coroutine_prober {
 public:
  boost::asio::awaitable<probe_outcome> probe(boost::asio::ip::address target, std::uint16_t port,
                                              duration timeout) override;
};

}  // namespace breakwater::probe
