// Runs one scan of a fresh engine on `ctx` to its end, on the real clock: for loopback tests.
#pragma once

#include "probe/engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <utility>

namespace breakwater::probe::testing {

inline boost::system::result<scan_result, failure> scan_now(boost::asio::io_context& ctx,
                                                            scan_request req,
                                                            engine_options options = {}) {
  engine e(ctx.get_executor(), std::move(options));
  auto f = boost::asio::co_spawn(ctx, e.scan(std::move(req)), boost::asio::use_future);
  ctx.run();
  ctx.restart();
  return f.get();
}

}  // namespace breakwater::probe::testing
