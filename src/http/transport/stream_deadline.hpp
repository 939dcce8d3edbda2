// One deadline for every wait of a connection's stream, on one lazily armed timer: a step
// that finds its data ready never touches the timer, and moving the deadline later costs
// nothing until the timer fires.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace breakwater::http {

class stream_deadline {
 public:
  using clock = std::chrono::steady_clock;

  // When the deadline passes during a wait, `socket`'s operations are cancelled.
  explicit stream_deadline(boost::asio::ip::tcp::socket& socket);
  stream_deadline(const stream_deadline&) = delete;  // the timer's handler points here
  stream_deadline& operator=(const stream_deadline&) = delete;

  void expires_after(clock::duration d);
  void expires_never() noexcept;

  // Before every operation that may wait on the socket.
  void arm();

  // An operation cancelled because the deadline passed reports beast::error::timeout.
  boost::system::error_code translate(const boost::system::error_code& ec) const;

 private:
  void on_timer();

  boost::asio::ip::tcp::socket& socket_;
  boost::asio::steady_timer timer_;
  clock::time_point deadline_ = clock::time_point::max();
  clock::time_point armed_for_ = clock::time_point::max();
  bool timed_out_ = false;
  std::shared_ptr<stream_deadline*> alive_;  // the handler may run after we are gone
};

}  // namespace breakwater::http
