#include "site/visitor.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

TEST(client_address, proxy_protocol_without_address_leaves_no_visitor) {
  connection_info conn;
  conn.client_address = "198.18.0.3";
  conn.proxy_peer = "198.18.0.3";
  conn.client_known = false;  // PROXY UNKNOWN / v2 LOCAL
  request req;
  req.conn = &conn;
  EXPECT_FALSE(visitor_of(req));
  // A PROXY header that named the client: that address, with no RTT of ours.
  conn.client_known = true;
  conn.client_address = "198.18.0.9";
  ASSERT_TRUE(visitor_of(req));
  EXPECT_EQ(visitor_of(req)->rtt_us, 0u);
  // No connection at all: nobody.
  request bare;
  EXPECT_FALSE(visitor_of(bare));
}

}  // namespace
}  // namespace breakwater::site
