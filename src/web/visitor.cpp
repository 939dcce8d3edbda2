#include "web/visitor.hpp"

#include "web/cidr.hpp"

namespace breakwater::web {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Every instance of the header, in order: a list split over several lines is one list.
forwarded_hops hops_of(const request& req) {
  forwarded_hops out;
  for (const header_view& h : req.headers) {
    if (iequals(h.name, "forwarded")) {
      auto more = parse_forwarded(h.value);
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  if (!out.empty()) return out;
  for (const header_view& h : req.headers) {
    if (iequals(h.name, "x-forwarded-for")) {
      auto more = parse_x_forwarded_for(h.value);
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  return out;
}

}  // namespace

std::string resolve_client(std::string_view peer, const forwarded_hops& hops,
                           const cidr_list* trusted) {
  std::string client(peer);
  if (trusted == nullptr || !trusted->contains(client)) return client;
  // Walk from the proxy nearest to us towards the client; each hop was reported by the one
  // after it, so a hop counts only while everything to its right is trusted.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!*it) break;  // "unknown": the chain cannot be followed; keep the last known hop
    client = **it;
    if (!trusted->contains(client)) break;
  }
  return client;
}

scan::visitor visitor_of(const request& req) {
  scan::visitor v;
  if (req.conn == nullptr) return v;
  v.address = req.conn->client_address;
  if (req.conn->trusted_proxies != nullptr && !req.conn->trusted_proxies->empty()) {
    v.address = resolve_client(v.address, hops_of(req), req.conn->trusted_proxies);
  }
  // The kernel's RTT is of the proxy's connection when a proxy is in between: unknown then.
  if (v.address == req.conn->client_address && req.conn->proxy_peer.empty()) {
    v.rtt_us = measure_rtt_us(*req.conn);
  }
  return v;
}

}  // namespace breakwater::web
