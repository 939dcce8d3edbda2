// libFuzzer target for the HTTP session: raw bytes go through a real http_session over an
// in-memory stream into the router and pages. Never crashes, and whatever it writes back
// is a sequence of HTTP/1.1 responses.
#include "db/database_loader.hpp"
#include "db/search_index.hpp"
#include "web/http_session.hpp"
#include "web/site.hpp"

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
using breakwater::web::connection_info;

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
  breakwater::db::loaded_database loaded;
  std::unique_ptr<breakwater::db::search_index> index;
  std::unique_ptr<breakwater::web::site> site;
  std::unique_ptr<breakwater::web::responder> responder;
  breakwater::web::limits limits;

  fixture() {
    auto result = breakwater::db::load_database(BREAKWATER_SOURCE_DATA_DIR);
    if (!result) std::abort();
    loaded = std::move(*result);
    index = std::make_unique<breakwater::db::search_index>(*loaded.db);
    breakwater::web::site_options options;
    options.http_port = 8080;
    options.https_port = 8443;
    site = std::make_unique<breakwater::web::site>(*loaded.db, *index, options);
    responder = std::make_unique<breakwater::web::responder>(*site, 64);
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
  breakwater::web::session_env env{*f.responder, nullptr, nullptr, f.limits, 0, stopping};
  breakwater::web::http_session<memory_stream> session(stream, env, conn);
  asio::co_spawn(ioc, session.run(), asio::detached);
  ioc.run();
  const std::string& out = stream.output();
  if (!out.empty() && !out.starts_with("HTTP/1.1 ")) std::abort();
  return 0;
}
