#include "http/transport/stream_deadline.hpp"

#include <boost/beast/core/error.hpp>

namespace breakwater::http {

stream_deadline::stream_deadline(boost::asio::ip::tcp::socket& socket)
    : socket_(socket), timer_(socket.get_executor()) {}

void stream_deadline::expires_after(clock::duration d) {
  deadline_ = clock::now() + d;
  timed_out_ = false;
}

void stream_deadline::expires_never() noexcept {
  deadline_ = clock::time_point::max();
  timed_out_ = false;
}

// The timer only ever moves earlier; when it fires before a deadline that was pushed back
// since, it is armed again for the new one.
void stream_deadline::arm() {
  if (deadline_ == clock::time_point::max() || armed_for_ <= deadline_) return;
  if (!alive_) alive_ = std::make_shared<stream_deadline*>(this);
  armed_for_ = deadline_;
  timer_.expires_at(deadline_);
  timer_.async_wait(
      [alive = std::weak_ptr<stream_deadline*>(alive_)](const boost::system::error_code& ec) {
        auto self = alive.lock();
        if (!ec && self) (*self)->on_timer();
      });
}

void stream_deadline::on_timer() {
  armed_for_ = clock::time_point::max();
  if (deadline_ == clock::time_point::max()) return;
  if (clock::now() < deadline_) {
    arm();
    return;
  }
  timed_out_ = true;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

boost::system::error_code stream_deadline::translate(const boost::system::error_code& ec) const {
  if (ec == boost::asio::error::operation_aborted && timed_out_) {
    return boost::beast::error::timeout;
  }
  return ec;
}

}  // namespace breakwater::http
