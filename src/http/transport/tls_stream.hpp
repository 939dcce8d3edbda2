// A server-side TLS connection run straight over its socket: OpenSSL reads from and writes
// to this stream's own buffers, so one receive feeds it a whole flight and all it writes in
// a step leaves in one send (why not asio::ssl::stream: docs/benchmarks.md). Include only
// where a session runs: it pulls in Asio.
#pragma once

#include "http/transport/stream_deadline.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

struct ssl_st;
struct ssl_ctx_st;
struct bio_st;

namespace breakwater::http {

class tls_stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using error_code = boost::system::error_code;

  // Takes a connected, non-blocking socket; the handshake is the server's side.
  tls_stream(boost::asio::ip::tcp::socket socket, ssl_ctx_st* ctx);
  ~tls_stream();
  tls_stream(const tls_stream&) = delete;  // OpenSSL's BIO points at this object
  tls_stream& operator=(const tls_stream&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  ssl_st* native_handle() const noexcept { return ssl_; }

  // Bytes read from the socket before the stream took it (the ClientHello, usually).
  void preload(boost::asio::const_buffer bytes);

  // One deadline for every wait on the socket until it is changed. When it passes, the
  // waiting operation ends with beast::error::timeout; the socket stays open.
  void expires_after(std::chrono::steady_clock::duration d) { deadline_.expires_after(d); }
  void expires_never() noexcept { deadline_.expires_never(); }
  void cancel();  // ends waiting operations with operation_aborted

  template <class Token>
  auto async_handshake(Token&& token) {
    return run(handshake_attempt{}, send_rule::before_waits, std::forward<Token>(token));
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    boost::asio::mutable_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && first.size() == 0; ++it) {
      first = boost::asio::mutable_buffer(*it);
    }
    return run(read_attempt{first}, send_rule::before_waits, std::forward<Token>(token));
  }

  // Completes once the bytes are encrypted. They leave before the stream next waits for
  // input, at shutdown, or at once when much is pending: a response and the close_notify
  // after it, or answers to pipelined requests, share one send.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    write_attempt w;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && w.count < w.pieces.size(); ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() > 0) w.pieces[w.count++] = b;
    }
    return run(w, send_rule::when_large, std::forward<Token>(token));
  }

  // Half-closes the TCP connection after the output (see http_session::may_leave_input).
  void shutdown_send();

  // Sends what is left of the output and close_notify, without waiting for the client's
  // close_notify (TLS allows it).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return run(shutdown_attempt{}, send_rule::all, std::forward<Token>(token));
  }

  // What one call into OpenSSL came to.
  struct step {
    enum class kind { done, need_input, failed } what = kind::done;
    error_code ec;
    std::size_t bytes = 0;
  };

 private:
  struct handshake_attempt {
    step operator()(tls_stream& s) const { return s.handshake_step(); }
  };
  struct read_attempt {
    boost::asio::mutable_buffer into;
    step operator()(tls_stream& s) const { return s.read_step(into); }
  };
  struct write_attempt {
    std::array<boost::asio::const_buffer, 8> pieces{};
    std::size_t count = 0;
    step operator()(tls_stream& s) const { return s.write_step(pieces.data(), count); }
  };
  struct shutdown_attempt {
    step operator()(tls_stream& s) const { return s.shutdown_step(); }
  };
  // When an operation sends what OpenSSL wrote. Output always leaves before a wait for
  // input (the peer may be waiting for it); a handshake's session ticket otherwise waits
  // for the first response.
  enum class send_rule { before_waits, when_large, all };
  template <class Attempt>
  class io_op;
  friend struct bio_access;

  template <class Attempt, class Token>
  auto run(Attempt attempt, send_rule rule, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        io_op<Attempt>(*this, attempt, rule), token, socket_);
  }

  step handshake_step();
  step read_step(boost::asio::mutable_buffer into);
  step write_step(const boost::asio::const_buffer* pieces, std::size_t count);
  step shutdown_step();

  // The input buffer: OpenSSL reads from it; the socket refills it once it is empty.
  boost::asio::mutable_buffer input_space();
  bool try_receive();  // without waiting; true when bytes (or the end) arrived
  void on_received(const error_code& ec, std::size_t n);
  // The output OpenSSL wrote and the kernel has not taken yet.
  bool has_output() const noexcept { return out_sent_ < out_.size(); }
  bool must_send(send_rule rule) const noexcept {
    return rule == send_rule::all || (rule == send_rule::when_large && out_.size() >= 64 * 1024);
  }
  boost::asio::const_buffer output() const noexcept {
    return boost::asio::buffer(out_.data() + out_sent_, out_.size() - out_sent_);
  }
  bool try_send(error_code& ec);  // without waiting; true once all output is sent
  void on_sent(std::size_t n) noexcept;
  bool expect_reply() const noexcept { return sent_since_input_; }

  error_code wait_error(const error_code& ec) const { return deadline_.translate(ec); }

  boost::asio::ip::tcp::socket socket_;
  ssl_st* ssl_ = nullptr;
  std::unique_ptr<char[]> in_;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  bool in_eof_ = false;
  bool sent_since_input_ = false;
  std::string out_;
  std::size_t out_sent_ = 0;
  std::string gather_;  // small pieces of one write, joined into one record
  stream_deadline deadline_{socket_};
};

// The state machine shared by every operation: call OpenSSL; when it needs input, send what
// it wrote first, then receive; when it is done, send what the rule asks for. Completion
// never runs inside the initiating call.
template <class Attempt>
class tls_stream::io_op {
 public:
  io_op(tls_stream& s, Attempt a, send_rule rule) : s_(s), attempt_(a), rule_(rule) {}

  template <class Self>
  void operator()(Self& self, error_code ec = {}, std::size_t n = 0) {
    switch (state_) {
      case state::start: break;
      case state::receiving:
        s_.on_received(ec, n);
        if (ec && ec != boost::asio::error::eof) return finish(self, s_.wait_error(ec));
        break;
      case state::sending:
        if (ec) return finish(self, s_.wait_error(ec));
        s_.on_sent(n);
        break;
      case state::completing: return self.complete(result_.ec, result_.bytes);
    }
    advance(self);
  }

 private:
  enum class state { start, receiving, sending, completing };

  template <class Self>
  void advance(Self& self) {
    for (;;) {
      if (!have_result_) {
        result_ = attempt_(s_);
        have_result_ = result_.what != step::kind::need_input;
      }
      bool must_send = !have_result_ || (result_.what == step::kind::done && s_.must_send(rule_));
      if (must_send && s_.has_output()) {
        error_code ec;
        if (s_.try_send(ec)) continue;
        if (ec) return finish(self, ec);
        if (cancelled(self)) return finish(self, boost::asio::error::operation_aborted);
        return wait_send(self);
      }
      if (have_result_) {
        // A failed handshake may have written an alert: offer it, without waiting.
        error_code ignored;
        if (result_.what == step::kind::failed && s_.has_output()) s_.try_send(ignored);
        return finish(self, result_.ec, result_.bytes);
      }
      if (!s_.expect_reply() && s_.try_receive()) continue;
      if (cancelled(self)) return finish(self, boost::asio::error::operation_aborted);
      return wait_receive(self);
    }
  }

  // A cancellation that came while no socket operation was pending (its completion was
  // already queued) must still stop the operation before it waits again.
  template <class Self>
  static bool cancelled(Self& self) {
    return self.cancelled() != boost::asio::cancellation_type::none;
  }

  template <class Self>
  void wait_receive(Self& self) {
    state_ = state::receiving;
    suspended_ = true;
    s_.deadline_.arm();
    s_.socket_.async_read_some(s_.input_space(), std::move(self));
  }

  template <class Self>
  void wait_send(Self& self) {
    state_ = state::sending;
    suspended_ = true;
    s_.deadline_.arm();
    s_.socket_.async_write_some(s_.output(), std::move(self));
  }

  template <class Self>
  void finish(Self& self, const error_code& ec, std::size_t n = 0) {
    if (suspended_) return self.complete(ec, n);
    result_.ec = ec;
    result_.bytes = n;
    state_ = state::completing;
    boost::asio::post(std::move(self));
  }

  tls_stream& s_;
  Attempt attempt_;
  send_rule rule_;
  state state_ = state::start;
  bool have_result_ = false;
  bool suspended_ = false;
  step result_;
};

}  // namespace breakwater::http
