// A plain TCP connection for http_session: the socket and one deadline for all its waits.
// Reads and writes go straight to the socket; the deadline's timer is armed only once a
// step has to wait (see stream_deadline).
#pragma once

#include "http/transport/stream_deadline.hpp"

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>

namespace breakwater::http {

class plain_stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using error_code = boost::system::error_code;

  explicit plain_stream(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
  plain_stream(const plain_stream&) = delete;
  plain_stream& operator=(const plain_stream&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }

  // One deadline for every wait until it is changed; when it passes, the waiting operation
  // ends with beast::error::timeout and the socket stays open (an answer can still go out).
  void expires_after(std::chrono::steady_clock::duration d) { deadline_.expires_after(d); }
  void expires_never() noexcept { deadline_.expires_never(); }
  void cancel();

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        io_op<false, MutableBuffers>{*this, buffers}, token, socket_);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        io_op<true, ConstBuffers>{*this, buffers}, token, socket_);
  }

 private:
  template <bool Write, class Buffers>
  struct io_op {
    plain_stream& s;
    Buffers buffers;
    bool started = false;

    template <class Self>
    void operator()(Self& self, error_code ec = {}, std::size_t n = 0) {
      if (started) return self.complete(s.deadline_.translate(ec), n);
      started = true;
      s.deadline_.arm();
      if constexpr (Write) {
        s.socket_.async_write_some(buffers, std::move(self));
      } else {
        s.socket_.async_read_some(buffers, std::move(self));
      }
    }
  };

  boost::asio::ip::tcp::socket socket_;
  stream_deadline deadline_{socket_};
};

}  // namespace breakwater::http
