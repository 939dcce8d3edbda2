// Opens the prober backend a scan engine uses.
#pragma once

#include "probe/backend_kind.hpp"
#include "probe/error.hpp"
#include "probe/prober.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <string>

namespace breakwater::probe {

// What was opened: a service states it once at start, so that an operator who meant to
// grant CAP_NET_RAW sees when it did not take.
struct opened_backend {
  std::shared_ptr<prober> backend;
  backend_kind kind = backend_kind::connect;  // raw_syn or connect, never automatic
  std::string fallback_reason;                // "auto" fell back to connect(): why raw failed
};

// On `ex`, the engine's executor. Fails only for an explicit raw_syn that is not allowed here.
boost::system::result<opened_backend, failure> open_backend(boost::asio::any_io_executor ex,
                                                            backend_kind kind);

boost::system::result<std::shared_ptr<prober>, failure> make_backend(
    boost::asio::any_io_executor ex, backend_kind kind);

}  // namespace breakwater::probe
