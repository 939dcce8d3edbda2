#include "http/client_address.hpp"

#include "common/cidr.hpp"
#include "common/text.hpp"

namespace breakwater::http {
namespace {

forwarded_hops parse_value(std::string_view value, client_header which) {
  switch (which) {
    case client_header::forwarded: return parse_forwarded(value);
    case client_header::x_forwarded_for: return parse_x_forwarded_for(value);
    case client_header::x_real_ip: return {node_address(value)};
    case client_header::none: break;
  }
  return {};
}

// A connection straight from a trusted proxy (no PROXY header before it).
bool from_trusted_peer(const connection_info& c) noexcept {
  return c.proxy_peer.empty() && c.trust != nullptr &&
         c.trust->trusted_proxies.contains(c.client_address);
}

}  // namespace

bool header_names_client(const connection_info& c) noexcept {
  return from_trusted_peer(c) && c.trust->header != client_header::none;
}

forwarded_hops reported_hops(std::span<const header_view> headers, client_header which) {
  forwarded_hops out;
  if (which == client_header::none) return out;
  std::string_view name = to_string(which);
  for (const header_view& h : headers) {
    if (!common::iequals(h.name, name)) continue;
    auto more = parse_value(h.value, which);
    // An empty field line still says something: the proxy reported nobody.
    if (more.empty()) more.push_back(std::nullopt);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

std::optional<std::string> resolve_client(std::string_view peer, const forwarded_hops& hops,
                                          const client_trust& trust) {
  if (!trust.trusted_proxies.contains(peer)) return std::string(peer);
  // Walk from the hop nearest to us towards the client: each hop was written by the one to
  // its right, so a hop counts only while everything to its right is a trusted proxy. The
  // first hop that is not one is the client; anything unusable before it ends the walk.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!*it) return std::nullopt;
    if (!trust.trusted_proxies.contains(**it)) return **it;
  }
  return std::nullopt;
}

std::optional<std::string> client_address(const request& req) {
  if (req.conn == nullptr || !req.conn->client_known) return std::nullopt;
  const connection_info& c = *req.conn;
  if (c.trust == nullptr) return c.client_address;
  // After a PROXY header no header counts: the address it named, or nobody when that is a
  // trusted proxy's own (the same rule as a header naming only proxies).
  forwarded_hops hops;
  if (header_names_client(c)) hops = reported_hops(req.headers, c.trust->header);
  return resolve_client(c.client_address, hops, *c.trust);
}

std::string asking_address(const request& req) {
  if (auto client = client_address(req)) return std::move(*client);
  if (req.conn == nullptr) return {};
  const connection_info& c = *req.conn;
  // A PROXY header that named nobody (LOCAL: the proxy's own health check): the proxy.
  if (!c.client_known) return c.proxy_peer;
  // A trusted proxy that forwarded a request without naming a usable client may be relaying
  // anyone: nobody we know is asking.
  if (header_names_client(c) && !reported_hops(req.headers, c.trust->header).empty()) return {};
  // A trusted peer's own request, or a PROXY header that named a trusted proxy's address.
  return c.client_address;
}

bool client_is_peer(const request& req) noexcept {
  return req.conn != nullptr && req.conn->client_known && req.conn->proxy_peer.empty() &&
         !from_trusted_peer(*req.conn);
}

}  // namespace breakwater::http
