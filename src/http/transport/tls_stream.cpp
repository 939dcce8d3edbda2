#include "http/transport/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/ssl/error.hpp>

#include <algorithm>
#include <cstring>
#include <new>

namespace breakwater::http {
namespace {

constexpr std::size_t input_capacity = 16 * 1024;
constexpr std::size_t record_payload = 16 * 1024;  // TLS's largest plaintext record
constexpr std::size_t write_limit = 64 * 1024;     // per write step, so output stays bounded

}  // namespace

// OpenSSL's view of the stream's buffers: reads take from the input buffer and ask to be
// retried when it is empty; writes append to the output, which the stream sends.
struct bio_access {
  static tls_stream& of(BIO* b) { return *static_cast<tls_stream*>(BIO_get_data(b)); }

  static int read(BIO* b, char* data, std::size_t size, std::size_t* got) {
    tls_stream& s = of(b);
    BIO_clear_retry_flags(b);
    std::size_t have = s.in_end_ - s.in_begin_;
    if (have == 0) {
      if (!s.in_eof_) BIO_set_retry_read(b);
      *got = 0;
      return 0;
    }
    std::size_t n = std::min(have, size);
    std::memcpy(data, s.in_.get() + s.in_begin_, n);
    s.in_begin_ += n;
    *got = n;
    return 1;
  }

  static int write(BIO* b, const char* data, std::size_t size, std::size_t* put) {
    BIO_clear_retry_flags(b);
    of(b).out_.append(data, size);
    *put = size;
    return 1;
  }

  static long control(BIO* b, int cmd, long, void*) {
    tls_stream& s = of(b);
    switch (cmd) {
      case BIO_CTRL_FLUSH: return 1;  // the stream sends at the end of each step
      case BIO_CTRL_EOF: return s.in_eof_ && s.in_begin_ == s.in_end_ ? 1 : 0;
      case BIO_CTRL_PENDING: return static_cast<long>(s.in_end_ - s.in_begin_);
      case BIO_CTRL_WPENDING: return 0;
      default: return 0;
    }
  }

  static BIO_METHOD* method() {
    static BIO_METHOD* m = [] {
      BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "breakwater");
      if (made == nullptr || BIO_meth_set_read_ex(made, read) != 1 ||
          BIO_meth_set_write_ex(made, write) != 1 || BIO_meth_set_ctrl(made, control) != 1) {
        throw std::bad_alloc();
      }
      return made;
    }();
    return m;
  }
};

tls_stream::tls_stream(boost::asio::ip::tcp::socket socket, ssl_ctx_st* ctx)
    : socket_(std::move(socket)) {
  ssl_ = SSL_new(ctx);
  BIO* bio = BIO_new(bio_access::method());
  if (ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);
  SSL_set_accept_state(ssl_);
}

tls_stream::~tls_stream() { SSL_free(ssl_); }

void tls_stream::shutdown_send() {
  error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

void tls_stream::cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

boost::asio::mutable_buffer tls_stream::input_space() {
  if (!in_) in_ = std::make_unique_for_overwrite<char[]>(input_capacity);  // no zero fill
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_end_ == input_capacity && in_begin_ > 0) {
    std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  return boost::asio::buffer(in_.get() + in_end_, input_capacity - in_end_);
}

void tls_stream::preload(boost::asio::const_buffer bytes) {
  while (bytes.size() > 0) {
    boost::asio::mutable_buffer space = input_space();
    std::size_t n = boost::asio::buffer_copy(space, bytes);
    if (n == 0) break;  // more than the input buffer holds: cannot happen (4 KiB is read)
    in_end_ += n;
    bytes += n;
  }
}

bool tls_stream::try_receive() {
  error_code ec;
  std::size_t n = socket_.read_some(input_space(), ec);
  if (ec == boost::asio::error::would_block) return false;
  on_received(ec, n);
  return true;
}

void tls_stream::on_received(const error_code& ec, std::size_t n) {
  in_end_ += n;
  if (n > 0) sent_since_input_ = false;
  // The end, or a failure: either way no more input comes. A cancelled wait (cancel(), the
  // deadline, a cancellation slot) is neither: the socket stays open and input may follow.
  if (ec && ec != boost::asio::error::operation_aborted) in_eof_ = true;
}

bool tls_stream::try_send(error_code& ec) {
  std::size_t n = socket_.write_some(output(), ec);
  if (ec == boost::asio::error::would_block) ec = {};
  on_sent(n);
  return !has_output();
}

void tls_stream::on_sent(std::size_t n) noexcept {
  out_sent_ += n;
  if (n > 0) sent_since_input_ = true;
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
}

namespace {

// Turns a failed OpenSSL call into a step. The error queue is emptied, so the next call
// on this thread starts clean.
tls_stream::step failure(SSL* ssl, int rc, bool input_ended) {
  tls_stream::step s;
  int kind = SSL_get_error(ssl, rc);
  if (kind == SSL_ERROR_WANT_READ) {
    s.what = tls_stream::step::kind::need_input;
    return s;
  }
  s.what = tls_stream::step::kind::failed;
  unsigned long code = ERR_peek_error();
  ERR_clear_error();
  if (kind == SSL_ERROR_ZERO_RETURN || (input_ended && kind != SSL_ERROR_SSL) ||
      (input_ended && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
    s.ec = boost::asio::error::eof;  // close_notify, or the client simply went away
  } else if (code != 0) {
    s.ec =
        boost::system::error_code(static_cast<int>(code), boost::asio::error::get_ssl_category());
  } else {
    s.ec = boost::asio::error::connection_aborted;
  }
  return s;
}

}  // namespace

tls_stream::step tls_stream::handshake_step() {
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) return {};
  return failure(ssl_, rc, in_eof_);
}

tls_stream::step tls_stream::read_step(boost::asio::mutable_buffer into) {
  if (into.size() == 0) return {};
  ERR_clear_error();
  std::size_t n = 0;
  if (SSL_read_ex(ssl_, into.data(), into.size(), &n) == 1) return {step::kind::done, {}, n};
  return failure(ssl_, 0, in_eof_);
}

// Small pieces (a response head and its body) are joined into one record: one encryption
// and one header instead of one per piece.
tls_stream::step tls_stream::write_step(const boost::asio::const_buffer* pieces,
                                        std::size_t count) {
  if (count == 0) return {};
  const void* data = pieces[0].data();
  std::size_t size = std::min(pieces[0].size(), write_limit);
  if (count > 1 && size < record_payload) {
    gather_.clear();
    for (std::size_t i = 0; i < count && gather_.size() < record_payload; ++i) {
      std::size_t take = std::min(pieces[i].size(), record_payload - gather_.size());
      gather_.append(static_cast<const char*>(pieces[i].data()), take);
    }
    data = gather_.data();
    size = gather_.size();
  }
  ERR_clear_error();
  std::size_t n = 0;
  if (SSL_write_ex(ssl_, data, size, &n) == 1) return {step::kind::done, {}, n};
  return failure(ssl_, 0, in_eof_);
}

tls_stream::step tls_stream::shutdown_step() {
  // Marking the client's close_notify as received makes SSL_shutdown finish once ours is
  // written, instead of waiting for an answer nobody needs (nginx does the same).
  SSL_set_shutdown(ssl_, SSL_get_shutdown(ssl_) | SSL_RECEIVED_SHUTDOWN);
  ERR_clear_error();
  int rc = SSL_shutdown(ssl_);
  if (rc >= 0) return {};
  return failure(ssl_, rc, in_eof_);
}

}  // namespace breakwater::http
