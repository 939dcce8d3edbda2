// A real http_session over an in-memory stream: an event stream that has nothing to say
// still sends its heartbeat comment at the chosen interval (proxies and browsers keep it
// open), and the head goes out before any event.
#include "../db/test_data.hpp"
#include "db/search_index.hpp"
#include "web/http_session.hpp"
#include "web/site.hpp"

#include <gtest/gtest.h>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::web {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Hands over one request, then keeps the client "connected": later reads complete only when
// cancelled, as a socket's would (the session races them against its heartbeat timer).
class held_stream {
 public:
  using executor_type = asio::any_io_executor;

  held_stream(executor_type ex, std::string_view input) : ex_(std::move(ex)), input_(input) {}

  executor_type get_executor() const { return ex_; }
  const std::string& output() const { return output_; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (input_.empty()) {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto held = std::make_shared<std::optional<decltype(handler)>>(std::move(handler));
            if (slot.is_connected()) {
              slot.assign([held, ex = ex_](asio::cancellation_type) {
                if (!*held) return;
                asio::post(ex, [h = std::move(**held)]() mutable {
                  std::move(h)(asio::error::operation_aborted, 0);
                });
                held->reset();
              });
            }
            held_.push_back(held);
            return;
          }
          std::size_t n = asio::buffer_copy(b, asio::buffer(input_.data(), input_.size()));
          input_.remove_prefix(n);
          asio::post(ex_, [h = std::move(handler), n]() mutable {
            std::move(h)(boost::system::error_code{}, n);
          });
        },
        token, buffers);
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          std::size_t n = asio::buffer_size(b);
          std::string chunk(n, '\0');
          asio::buffer_copy(asio::buffer(chunk), b);
          output_ += chunk;
          asio::post(ex_, [h = std::move(handler), n]() mutable {
            std::move(h)(boost::system::error_code{}, n);
          });
        },
        token, buffers);
  }

 private:
  executor_type ex_;
  std::string_view input_;
  std::string output_;
  std::vector<std::shared_ptr<void>> held_;  // pending reads, dropped with the stream
};

// A source that never produces anything.
struct silent_source final : async_source {
  std::shared_ptr<async_sink> sink;
  void start(std::shared_ptr<async_sink> s) override { sink = std::move(s); }
};

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(sse_session, a_quiet_stream_sends_its_heartbeat_at_the_interval) {
  auto db = db::testing::small_database();
  db::search_index index(db);
  site s(db, index, {});
  s.routes().add(method::get, "/quiet", [](const request&, const route_params&) {
    response r;
    r.content_type = "text/event-stream";
    r.later = std::make_shared<silent_source>();
    r.stream = true;
    r.heartbeat = ": still here\n\n";
    r.heartbeat_every = 40ms;
    return r;
  });
  responder resp(s, 8);
  limits lim;
  asio::io_context ioc;
  {
    held_stream stream(ioc.get_executor(), "GET /quiet HTTP/1.1\r\nHost: x\r\n\r\n");
    connection_info conn;
    conn.client_address = "198.18.0.2";
    bool stopping = false;
    session_env env{resp, nullptr, nullptr, lim, 0, stopping};
    http_session<held_stream> session(stream, env, conn);
    asio::co_spawn(ioc, session.run(), asio::detached);
    ioc.run_for(50ms);
    EXPECT_TRUE(stream.output().starts_with("HTTP/1.1 200")) << stream.output();
    EXPECT_NE(stream.output().find("text/event-stream"), std::string::npos);
    std::size_t early = count(stream.output(), ": still here\n\n");
    ioc.run_for(400ms);
    std::size_t later = count(stream.output(), ": still here\n\n");
    // About ten in 440 ms at 40 ms; a loaded machine may fire a few late, never none.
    EXPECT_LE(early, 2u);
    EXPECT_GE(later, 4u);
    EXPECT_LE(later, 12u);
    ioc.stop();
  }
}

}  // namespace
}  // namespace breakwater::web
