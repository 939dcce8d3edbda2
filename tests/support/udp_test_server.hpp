// A UDP server on 127.0.0.1 for tests that drive a prober: a thread of its own waits for the
// first datagram and hands the socket and the asker to `on_asked`, then ends.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <thread>
#include <utility>

#include <sys/socket.h>

namespace breakwater::probe::testing {

class udp_test_server {
 public:
  using asked_fn = std::function<void(boost::asio::ip::udp::socket& sock,
                                      const boost::asio::ip::udp::endpoint& asker)>;

  explicit udp_test_server(asked_fn on_asked)
      : port_(sock_.local_endpoint().port()), worker_([this, on_asked = std::move(on_asked)] {
          std::array<char, 2048> buf{};
          boost::asio::ip::udp::endpoint asker;
          boost::system::error_code ec;
          const std::size_t n = sock_.receive_from(boost::asio::buffer(buf), asker, 0, ec);
          // Nothing from nobody: woken by the destructor's shutdown.
          if (ec || n == 0) return;
          on_asked(sock_, asker);
        }) {}

  // The socket is the worker's until it is joined: closing it under the worker's receive
  // would race with it. A worker still waiting is woken by shutdown(), after which Linux's
  // receive returns nothing from nobody (though shutdown() itself fails, ENOTCONN, on a UDP
  // socket).
  ~udp_test_server() {
    ::shutdown(sock_.native_handle(), SHUT_RDWR);
    worker_.join();
  }
  udp_test_server(const udp_test_server&) = delete;
  udp_test_server& operator=(const udp_test_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket sock_{io_, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  std::uint16_t port_;
  std::thread worker_;
};

}  // namespace breakwater::probe::testing
