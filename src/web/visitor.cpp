#include "web/visitor.hpp"

namespace breakwater::web {

scan::visitor visitor_of(const request& req) {
  scan::visitor v;
  if (req.conn == nullptr) return v;
  v.address = req.conn->client_address;
  v.rtt_us = measure_rtt_us(*req.conn);
  return v;
}

}  // namespace breakwater::web
