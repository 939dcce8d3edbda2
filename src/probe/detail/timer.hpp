// The Asio timer on the engine's clock; include only in .cpp files (Asio is heavy).
#pragma once

#include "probe/detail/clock.hpp"

#include <boost/asio/basic_waitable_timer.hpp>

namespace breakwater::probe {

using timer = boost::asio::basic_waitable_timer<clock, wait_traits>;

}  // namespace breakwater::probe
