// The engine tests' fixture: an engine on an io_context in virtual time, against the fake
// target (tests/support/fake_target.hpp). Shared by engine_test.cpp and engine_icmp_test.cpp.
#pragma once

#include "probe/engine.hpp"
#include "support/fake_target.hpp"
#include "support/virtual_time.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

namespace breakwater::probe::testing {

struct engine_fixture : ::testing::Test {
  virtual_time vt;
  boost::asio::io_context ctx;

  scan_request request(std::string_view ports, scan_options o = {}) {
    scan_request r;
    r.target = boost::asio::ip::make_address("198.18.0.2");
    r.ports = *parse_port_set(ports);
    r.options = o;
    return r;
  }

  scan_result scan(engine& e, scan_request r) {
    auto out = run_virtual(ctx, e.scan(std::move(r)));
    EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message());
    return *out;
  }

  static std::map<std::uint16_t, port_result> by_port(const scan_result& r) {
    std::map<std::uint16_t, port_result> m;
    for (const auto& p : r.ports) EXPECT_TRUE(m.emplace(p.port, p).second) << p.port;
    return m;
  }
};

// Two open ports, ten resets, one of each ICMP error; every other port dropped.
inline std::shared_ptr<fake_target> mixed_target(fake_target_options o = {}) {
  auto t = std::make_shared<fake_target>(o);
  t->set(22, fake_port::open);
  t->set(80, fake_port::open);
  for (std::uint16_t p = 100; p < 110; ++p) t->set(p, fake_port::reset);
  t->set(135, fake_port::icmp_admin_prohibited);
  t->set(139, fake_port::icmp_port_unreachable);
  return t;
}

// Passes every try on to `inner` but the `n`-th of `port` (from 1), which cannot be sent (out
// of buffers: transient). Records every try the engine asks for.
class fails_nth_send final : public prober {
 public:
  fails_nth_send(std::shared_ptr<prober> inner, std::uint16_t port, std::size_t n)
      : inner_(std::move(inner)), port_(port), n_(n) {}
  probe_handle start(const probe_try& t, probe_sink& sink) override {
    tries.push_back(t);
    if (t.port != port_ || ++seen_ != n_) return inner_->start(t, sink);
    boost::asio::post(sink.executor(), [&sink, tag = t.tag] {
      probe_outcome o;
      o.what = probe_outcome::kind::failed;
      o.transient = true;
      o.error = failure{make_error_code(std::errc::no_buffer_space), operation::send, "test"};
      sink.finished(tag, o);
    });
    return failed_handle;
  }
  void cancel(probe_handle h) noexcept override {
    if (h != failed_handle) inner_->cancel(h);
  }
  std::vector<probe_try> tries;

 private:
  static constexpr probe_handle failed_handle = probe_handle{1} << 60;
  std::shared_ptr<prober> inner_;
  std::uint16_t port_;
  std::size_t n_;
  std::size_t seen_ = 0;
};

}  // namespace breakwater::probe::testing
