// libFuzzer target for the HTTP session: raw bytes go through a real http_session over an
// in-memory stream into the responder and a stub handler (the engine alone: no site, no
// database). Never crashes, and whatever it writes back is a sequence of HTTP/1.1 responses.
#include "http/responder.hpp"
#include "http/transport/http_session.hpp"
#include "support/stub_handler.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
using breakwater::http::connection_info;

// Reads come in chunks of `chunk` bytes, so the parser sees requests split anywhere.
class memory_stream {
 public:
  using executor_type = asio::any_io_executor;

  memory_stream(executor_type ex, std::string_view input, std::size_t chunk)
      : ex_(std::move(ex)), input_(input), chunk_(chunk) {}

  executor_type get_executor() const { return ex_; }
  const std::string& output() const { return output_; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          std::size_t n =
              asio::buffer_copy(b, asio::buffer(input_.data(), std::min(input_.size(), chunk_)));
          input_.remove_prefix(n);
          boost::system::error_code ec;
          if (n == 0) ec = asio::error::eof;
          asio::post(ex_, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
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
  std::size_t chunk_;
  std::string output_;
};

struct fixture {
  breakwater::http::testing::stub_handler handler;
  std::unique_ptr<breakwater::http::responder> responder;
  breakwater::http::limits limits;

  fixture() {
    using namespace breakwater::http;
    // A cached page, a per-request answer and a body echo: every path of the responder.
    handler.routes().add(method::get, "/page/{n}", [](const request&, const route_params& p) {
      response r;
      r.body = "<p>" + std::string(p[0]) + "</p>";
      r.shareable = true;
      r.cache = cache_policy::revalidate;
      return r;
    });
    handler.routes().add(method::get, "/", [](const request& req, const route_params&) {
      response r;
      r.body = std::string(req.header("user-agent"));
      return r;
    });
    handler.routes().add(method::post, "/echo", [](const request& req, const route_params&) {
      response r;
      r.content_type = "text/plain";
      r.body = std::string(req.body);
      return r;
    });
    responder = std::make_unique<breakwater::http::responder>(handler, 64);
    limits.max_header_bytes = 2048;
    limits.max_body_bytes = 512;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fixture f;
  if (size == 0) return 0;
  std::size_t chunk = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  asio::io_context ioc;
  memory_stream stream(ioc.get_executor(), input, chunk);
  connection_info conn;
  conn.client_address = "198.18.0.1";
  bool stopping = false;
  breakwater::http::session_env env{*f.responder, nullptr, nullptr, f.limits, 0, stopping};
  breakwater::http::http_session<memory_stream> session(stream, env, conn);
  asio::co_spawn(ioc, session.run(), asio::detached);
  ioc.run();
  const std::string& out = stream.output();
  if (!out.empty() && !out.starts_with("HTTP/1.1 ")) std::abort();
  return 0;
}
