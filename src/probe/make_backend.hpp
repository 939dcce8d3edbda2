// Opens the prober backend a scan engine uses.
#pragma once

#include "probe/backend_kind.hpp"
#include "probe/error.hpp"
#include "probe/prober.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <memory>

namespace breakwater::probe {

// On `ex`, the engine's executor. Fails only for an explicit raw_syn that is not allowed here.
boost::system::result<std::shared_ptr<prober>, failure> make_backend(
    boost::asio::any_io_executor ex, backend_kind kind);

}  // namespace breakwater::probe
