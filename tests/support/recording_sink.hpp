// A probe sink that keeps what a prober reports, for tests that drive a prober directly.
#pragma once

#include "probe/prober.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <utility>
#include <vector>

namespace breakwater::probe::testing {

struct recording_sink final : probe_sink {
  explicit recording_sink(boost::asio::any_io_executor e) : ex(std::move(e)) {}
  void finished(probe_tag tag, const probe_outcome& o) override { got.emplace_back(tag, o); }
  void late(probe_tag tag, const probe_outcome& o) override { late_got.emplace_back(tag, o); }
  const boost::asio::any_io_executor& executor() const noexcept override { return ex; }
  boost::asio::any_io_executor ex;
  std::vector<std::pair<probe_tag, probe_outcome>> got;
  std::vector<std::pair<probe_tag, probe_outcome>> late_got;
};

}  // namespace breakwater::probe::testing
