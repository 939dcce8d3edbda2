// The raw-SYN prober's sockets for one address family: a raw TCP socket that sends its SYNs
// and sees only segments to its reserved source port, and a raw ICMP socket that sees only
// destination-unreachables.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/basic_raw_socket.hpp>
#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>

namespace breakwater::probe {

using raw_socket = boost::asio::basic_raw_socket<boost::asio::generic::raw_protocol>;

struct raw_family {
  bool v6 = false;
  raw_socket tcp;
  raw_socket icmp;
  int reservation = -1;  // a TCP socket bound to our source port: the kernel lends it to nobody
  std::uint16_t port = 0;
  // Read only while probes wait, so that an idle prober leaves its io_context without work.
  std::size_t waiting = 0;  // probes of this family in flight
  unsigned readers = 0;     // read loops running (two while reading)

  raw_family(boost::asio::any_io_executor ex, bool is_v6) : v6(is_v6), tcp(ex), icmp(ex) {}
  ~raw_family();
  raw_family(const raw_family&) = delete;
  raw_family& operator=(const raw_family&) = delete;
};

// Opens both sockets, reserves the source port and installs the filters. Fails with the
// system's error (EPERM without root or CAP_NET_RAW).
boost::system::error_code open_raw_family(raw_family& f);

}  // namespace breakwater::probe
