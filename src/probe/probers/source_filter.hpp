// A socket filter that lets through only datagrams from one address: the UDP probers' sockets
// are not connected (answers may come from another port), yet must hear only the target.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>

namespace breakwater::probe {

// Only datagrams from the target's address reach the socket; the kernel drops the rest, so a
// third party cannot answer for the target, nor fill the buffer so that its answer is lost.
boost::system::error_code accept_only_from(int fd, const boost::asio::ip::address& target);

}  // namespace breakwater::probe
