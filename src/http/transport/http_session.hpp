// One HTTP/1.1 connection as a coroutine: it owns its stream, sets a deadline before every
// step (idle wait, request head, body, write), answers limit violations with the proper
// status and closes. Templated on the stream so that TCP, TLS and the fuzzer's in-memory
// stream share it. Include only where a session is run: it pulls in Beast.
#pragma once

#include "http/client_address.hpp"
#include "http/metrics.hpp"
#include "http/request_log.hpp"
#include "http/responder.hpp"
#include "http/transport/request_reader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace breakwater::http {

// What every session of one worker shares.
struct session_env {
  responder& respond;
  metrics* stats = nullptr;  // null in the fuzzer
  const request_log* log = nullptr;
  const limits& limit;
  std::size_t worker = 0;
  const bool& stopping;  // set on shutdown: finish the request in flight, then close
};

// What an answer produced later has delivered so far; touched on the session's thread only.
struct async_state {
  explicit async_state(const boost::asio::any_io_executor& ex) : wake(ex) {}
  std::deque<std::string> queue;
  bool ended = false;
  std::optional<response> whole;
  boost::asio::steady_timer wake;  // cancelled when something arrives
  bool gathering = false;          // set: arrivals join the queue without waking the session
};

// What a source has handed over and the session has not yet taken, in the order of the calls.
struct async_inbox {
  std::mutex mu;
  std::deque<std::string> pieces;
  bool ended = false;
  std::optional<response> whole;
  bool open = true;     // cleared when the session is done: calls after it do nothing
  bool posted = false;  // a handler that takes the inbox is on its way
};

// The sink handed to an async_source. Calls come from any thread; each one leaves its part in
// the inbox, in call order, and the first of a run posts one handler that moves the whole
// inbox onto the session's state. The order is kept here and not by the posts because Asio
// does not keep posts from several threads in call order: on a one-thread io_context a post
// made by a handler waits in that thread's private queue until the handler returns, and a
// post from another thread meanwhile runs first. (An event stream's batches come from the
// session's own thread, its on_drained; single events from the scan's thread.)
class session_sink final : public async_sink {
 public:
  session_sink(std::weak_ptr<async_state> st, boost::asio::any_io_executor ex)
      : state_(std::move(st)), ex_(std::move(ex)) {}

  // An empty piece says nothing, and in the queue an empty piece stands for a heartbeat: it
  // is dropped here, so that every piece queued by the source counts as taken (pump_stream).
  void write(std::string bytes) override {
    if (bytes.empty()) return;
    hand_over([&](async_inbox& in) { in.pieces.push_back(std::move(bytes)); });
  }
  void end() override {
    hand_over([](async_inbox& in) { in.ended = true; });
  }
  void complete(response whole) override {
    hand_over([&](async_inbox& in) { in.whole = std::move(whole); });
  }
  // The session is done: what is still in the inbox is dropped, later calls do nothing.
  void close() { shut(*inbox_); }

 private:
  template <class F>
  void hand_over(F add) {
    std::lock_guard lock(inbox_->mu);
    if (!inbox_->open) return;
    add(*inbox_);
    if (inbox_->posted) return;
    // Posted before the flag is set: a post that throws leaves the next call to post again.
    boost::asio::post(ex_, [w = state_, in = inbox_] {
      auto s = w.lock();
      if (!s) return shut(*in);  // the session ended without closing: nothing will take more
      take(*in, *s);
      if (!s->gathering) s->wake.cancel();
    });
    inbox_->posted = true;
  }

  static void shut(async_inbox& in) {
    std::lock_guard lock(in.mu);
    in.open = false;
    in.posted = false;
    in.pieces.clear();
    in.ended = false;
    in.whole.reset();
  }

  // Swaps the inbox out under its lock and moves it onto the state after: a writer (the
  // scan's thread, holding its service's lock) waits for the swap, not for the moves.
  static void take(async_inbox& in, async_state& s) {
    std::deque<std::string> pieces;
    std::optional<response> whole;
    {
      std::lock_guard lock(in.mu);
      in.posted = false;
      pieces.swap(in.pieces);
      whole.swap(in.whole);
      s.ended = s.ended || in.ended;
    }
    if (s.queue.empty()) {
      s.queue.swap(pieces);
    } else {
      for (std::string& piece : pieces) s.queue.push_back(std::move(piece));
    }
    if (whole) s.whole = std::move(whole);
  }

  std::shared_ptr<async_inbox> inbox_ = std::make_shared<async_inbox>();
  std::weak_ptr<async_state> state_;
  boost::asio::any_io_executor ex_;
};

// Lets the server cancel a session that is waiting for its next request.
// Sessions of a worker form an intrusive list (no allocation to join or leave it).
class session_base {
 public:
  virtual void cancel_if_idle() noexcept = 0;

  session_base* prev = nullptr;
  session_base* next = nullptr;

 protected:
  ~session_base() = default;
};

template <class Stream>
class http_session final : public session_base {
 public:
  // `first`: bytes already read from the connection (the start of the first request).
  http_session(Stream& stream, const session_env& env, const connection_info& conn,
               boost::beast::flat_buffer first = {})
      : stream_(stream),
        env_(env),
        conn_(conn),
        buffer_(std::move(first)),
        timer_(stream.get_executor()) {
    watch_->cancel = [this] { cancel_io(); };
    // Input waits here only until the parser takes it: a request head (bounded by its
    // limit) and one read. Without a bound, chunk trailers (which Beast does not limit) or
    // a client writing during an event stream could grow it without end. Beast's reads end
    // with buffer_overflow at the bound (answered 400).
    buffer_.max_size(env.limit.max_header_bytes + 64 * 1024 + 4096);
    // One allocation each per connection, none per request. Sizes stay within glibc's
    // per-thread cache (chunks up to 1032 bytes): a response head is 500-700 bytes.
    head_.reserve(960);
  }

  void cancel_if_idle() noexcept override {
    if (idle_) cancel_io();
    if (waiting_ != nullptr) waiting_->wake.cancel();  // shutdown ends streams and waits
  }

  // Whether input may be left unread when the session ends: close() would then send a
  // reset that can destroy the answer in flight, so the caller half-closes first.
  bool may_leave_input() const noexcept {
    return error_answered_ || buffer_.size() > 0 || env_.stopping;
  }

  // Serves requests until the client closes, a deadline passes, an error is answered or
  // the server shuts down. Returns with the stream still open (the caller closes it).
  boost::asio::awaitable<void> run() {
    // GCC 12 mishandles co_await inside a condition, hence the named results.
    for (;;) {
      bool ready = co_await wait_for_request();
      if (!ready) co_return;
      bool again = co_await serve_one();
      if (!again) co_return;
    }
  }

 private:
  using error_code = boost::system::error_code;
  static constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

  void cancel_io() noexcept {
    if constexpr (requires { boost::beast::get_lowest_layer(stream_).cancel(); }) {
      boost::beast::get_lowest_layer(stream_).cancel();
    }
  }

  // The request deadline. The stream's own timeout closes the socket, which would leave no
  // way to answer 408; this timer only cancels the read, so the session can still reply.
  // The handler holds a weak reference: a session that has ended is never touched.
  struct watchdog {
    std::function<void()> cancel;
    unsigned generation = 0;
    bool fired = false;
  };
  void arm(std::chrono::milliseconds d) {
    ++watch_->generation;
    watch_->fired = false;
    timer_.expires_after(d);
    timer_.async_wait(
        [w = std::weak_ptr<watchdog>(watch_), gen = watch_->generation](const error_code& ec) {
          auto state = w.lock();
          if (ec || !state || state->generation != gen) return;
          state->fired = true;
          state->cancel();
        });
    expire(d * 2);  // a backstop, should the cancelled read not return
  }
  void disarm() {
    ++watch_->generation;
    timer_.cancel();
  }

  void expire(std::chrono::milliseconds d) {
    if constexpr (requires { boost::beast::get_lowest_layer(stream_).expires_after(d); }) {
      boost::beast::get_lowest_layer(stream_).expires_after(d);
    }
  }

  // Waits, under the idle timeout, until the first byte of the next request is buffered.
  boost::asio::awaitable<bool> wait_for_request() {
    if (buffer_.size() > 0) co_return true;
    if (env_.stopping) co_return false;
    idle_ = true;
    expire(env_.limit.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), tuple);
    idle_ = false;
    if (ec) co_return false;  // closed, timed out or shut down: nothing to answer
    buffer_.commit(n);
    co_return true;
  }

  unsigned status_for(const error_code& ec) const {
    namespace http = boost::beast::http;
    if (watch_->fired) return 408;
    if (ec == http::error::header_limit) return 431;
    if (ec == http::error::body_limit) return 413;
    if (ec == boost::beast::error::timeout) return 408;
    if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted) {
      return 0;  // the client went away: nobody to answer
    }
    return 400;
  }

  boost::asio::awaitable<bool> serve_one() {
    namespace http = boost::beast::http;
    request_reader parser(text_);
    parser.header_limit(static_cast<std::uint32_t>(env_.limit.max_header_bytes));
    parser.body_limit(env_.limit.max_body_bytes);
    // A keep-alive or pipelined request usually arrives whole: it is then parsed in place,
    // with no asynchronous operation and no deadline.
    parser.eager(true);
    error_code ec;
    std::size_t n = 0;
    bool armed = false;
    if (head_buffered()) {
      parse_buffered(parser, ec);
    } else {
      armed = true;
      arm(env_.limit.header_timeout);
      std::tie(ec, n) = co_await http::async_read_header(stream_, buffer_, parser, tuple);
    }
    if (!ec && !parser.is_done()) {
      armed = true;
      arm(env_.limit.header_timeout);
      std::tie(ec, n) = co_await http::async_read(stream_, buffer_, parser, tuple);
    }
    if (armed) disarm();
    if (ec) {
      unsigned status = status_for(ec);
      if (status != 0) co_await answer_error(status);
      co_return false;
    }
    bool again = co_await answer(parser.keep_alive());
    co_return again;
  }

  // Answers the request in text_.
  boost::asio::awaitable<bool> answer(bool client_keeps_alive) {
    auto start = std::chrono::steady_clock::now();
    request req;
    req.verb = parse_method(text_.method);
    req.version = text_.version;
    req.target = text_.target;
    std::size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string_view::npos) req.query = req.target.substr(q + 1);
    req.headers = text_.headers;
    req.body = text_.body;
    req.conn = &conn_;
    bool keep_alive = client_keeps_alive && !env_.stopping;
    reply r = env_.respond.respond(req, keep_alive, head_);
    if (r.stored && r.stored->later) {
      bool again = co_await serve_later(req, r, keep_alive);
      record(text_.method, req.target, r, start, &req);
      co_return again;
    }
    bool ok = co_await send(r);
    record(text_.method, req.target, r, start, &req);
    co_return ok&& keep_alive;
  }

  // Waits for the next thing an async source delivers, the heartbeat interval or the client
  // (which should send nothing: a read that completes means it closed, or sent the next
  // request, which is kept). Returns false when the client has gone.
  boost::asio::awaitable<bool> wait_async(async_state& st, std::chrono::milliseconds d) {
    if (!st.queue.empty() || st.ended || st.whole || env_.stopping) co_return true;
    co_return co_await wait_async_for(st, d);
  }

  // The same without the early return: waits `d` (or until woken) even with items queued.
  boost::asio::awaitable<bool> wait_async_for(async_state& st, std::chrono::milliseconds d) {
    using namespace boost::asio::experimental::awaitable_operators;
    if constexpr (requires { boost::beast::get_lowest_layer(stream_).expires_never(); }) {
      boost::beast::get_lowest_layer(stream_).expires_never();
    }
    st.wake.expires_after(d);
    // A client that keeps writing while its answer is on the way has filled its share.
    if (buffer_.max_size() - buffer_.size() < 4096) co_return false;
    waiting_ = &st;
    auto result = co_await (st.wake.async_wait(tuple) ||
                            stream_.async_read_some(buffer_.prepare(4096), tuple));
    waiting_ = nullptr;
    if (result.index() == 1) {
      auto [ec, n] = std::get<1>(result);
      if (ec || n == 0) co_return false;
      buffer_.commit(n);
      co_return true;
    }
    auto [ec] = std::get<0>(result);
    if (!ec && !st.gathering) st.queue.push_back({});  // the interval passed: a heartbeat
    co_return true;
  }

  boost::asio::awaitable<bool> serve_later(const request& req, reply& r, bool keep_alive) {
    const stored_response& s = *r.stored;
    auto st = std::make_shared<async_state>(stream_.get_executor());
    auto sink = std::make_shared<session_sink>(st, stream_.get_executor());
    // Closed on every way out, an exception too: a source may keep the sink after we are gone.
    struct closer {
      session_sink& sink;
      ~closer() { sink.close(); }
    } closing{*sink};
    bool again = false;
    if (s.stream) {
      bool ok = co_await send(r);
      if (ok && req.verb != method::head) {
        s.later->start(sink);
        ok = co_await pump_stream(*st, s);
      }
    } else {
      s.later->start(sink);
      auto give_up = std::chrono::steady_clock::now() + s.wait_limit;
      bool present = true;
      while (present && !st->whole && !env_.stopping) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            give_up - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        present = co_await wait_async(*st, left);
        st->queue.clear();
      }
      if (present) {
        if (!st->whole) {
          st->whole = s.later->timeout_answer();
        }
        keep_alive = keep_alive && !env_.stopping;
        r = env_.respond.complete(req, std::move(*st->whole), s.route, keep_alive, head_);
        again = co_await send(r) && keep_alive;
      }
    }
    co_return again;
  }

  // Sends what the source writes, a heartbeat when it is quiet, until it ends, the client
  // goes away or the server shuts down. The connection closes after it.
  boost::asio::awaitable<bool> pump_stream(async_state& st, const stored_response& s) {
    // Events that come close together go out in one write: a scan decides thousands of
    // ports a second, and one segment per verdict would cost far more than the verdicts.
    constexpr auto gather = std::chrono::milliseconds(25);
    constexpr std::size_t enough = 16 * 1024;  // more than this goes out without gathering
    std::string out;
    for (;;) {
      // A heartbeat alone (an empty piece) goes out at once: nothing is there to gather.
      std::size_t queued = 0;
      for (const std::string& piece : st.queue) queued += piece.size();
      if (queued > 0 && queued < enough && !st.ended && !env_.stopping) {
        st.gathering = true;
        bool present = co_await wait_async_for(st, gather);
        st.gathering = false;
        if (!present) co_return false;
      }
      out.clear();
      bool took = false;  // a piece of the source's, not only heartbeats
      for (std::string& piece : st.queue) {
        took = took || !piece.empty();
        out.append(piece.empty() ? s.heartbeat : piece);
      }
      st.queue.clear();
      // The next piece may come while this one is written; only once one was taken, so that a
      // client that stops reading holds two pieces, not one more for each look at an empty
      // queue (the first, and every heartbeat).
      if (took) s.later->on_drained();
      if (!out.empty()) {
        expire(env_.limit.idle_timeout);
        auto [ec, n] = co_await boost::asio::async_write(stream_, boost::asio::buffer(out), tuple);
        if (ec) co_return false;
        continue;
      }
      if (st.ended || env_.stopping) co_return true;
      bool present = co_await wait_async(st, s.heartbeat_every);
      if (!present) co_return false;
    }
  }

  boost::asio::awaitable<void> answer_error(unsigned status) {
    error_answered_ = true;
    auto start = std::chrono::steady_clock::now();
    reply r = env_.respond.respond_error(status, conn_.https, head_);
    co_await send(r);
    record("-", "-", r, start);
  }

  template <class Parser>
  void parse_buffered(Parser& parser, error_code& ec) {
    while (!parser.is_done() && buffer_.size() > 0) {
      std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == boost::beast::http::error::need_more) {
        ec = {};  // the rest of the body is still on its way
        return;
      }
      if (ec || used == 0) return;
    }
  }

  bool head_buffered() const noexcept {
    auto data = buffer_.data();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    return text.find("\r\n\r\n") != std::string_view::npos;
  }

  boost::asio::awaitable<bool> send(const reply& r) {
    std::array<boost::asio::const_buffer, 2> out{boost::asio::buffer(head_),
                                                 boost::asio::buffer(r.body)};
    // On a plain socket (non-blocking), try to write at once: a response that fits in the
    // socket buffer then needs no asynchronous operation and no timer.
    if constexpr (requires(error_code e) { stream_.socket().write_some(out, e); }) {
      error_code ec;
      std::size_t n = stream_.socket().write_some(out, ec);
      if (ec && ec != boost::asio::error::would_block) co_return false;
      if (n == head_.size() + r.body.size()) co_return true;
      if (n < head_.size()) {
        out[0] = boost::asio::buffer(head_) + n;
      } else {
        out[0] = boost::asio::const_buffer();
        out[1] = boost::asio::buffer(r.body) + (n - head_.size());
      }
    }
    expire(env_.limit.idle_timeout);
    auto [ec, n] = co_await boost::asio::async_write(stream_, out, tuple);
    co_return !ec;
  }

  void record(std::string_view method, std::string_view target, const reply& r,
              std::chrono::steady_clock::time_point start, const request* req = nullptr) {
    auto took = std::chrono::steady_clock::now() - start;
    if (env_.stats != nullptr) env_.stats->on_request(env_.worker, r.route, r.status, took);
    if (env_.log != nullptr && env_.log->enabled(log_level::info)) {
      // Behind a trusted proxy the client is the one it named, not the proxy; without one
      // (the common case) the connection's own address is logged as it is, with no copy.
      if (req == nullptr || client_is_peer(*req)) {
        std::string_view peer = conn_.client_known ? conn_.client_address : std::string_view{};
        env_.log->request(method, target, r.status, r.body.size(), took, peer, conn_.client_port);
      } else {
        std::optional<std::string> client = client_address(*req);
        env_.log->request(method, target, r.status, r.body.size(), took, client.value_or(""), 0);
      }
    }
  }

  Stream& stream_;
  const session_env& env_;
  const connection_info& conn_;
  boost::beast::flat_buffer buffer_;
  request_text text_;  // reused for every request
  std::string head_;   // reused for every response head
  bool idle_ = false;
  bool error_answered_ = false;
  async_state* waiting_ = nullptr;  // set while waiting for an answer produced later
  boost::asio::steady_timer timer_;
  std::shared_ptr<watchdog> watch_ = std::make_shared<watchdog>();
};

}  // namespace breakwater::http
