// Whose address a request comes from: the one place that decides which proxies and which
// header are believed. Pages, the API and the scan service only read the answer.
//
// The rule (docs/api.md, "Behind a proxy"):
// - A connection from anyone but a trusted proxy: its own address, whatever it sends.
// - From a trusted proxy: the right-most entry of the one configured header (all its field
//   lines together) that is not itself a trusted proxy. A header that is missing, garbled,
//   "unknown", obfuscated ("_x") or names only trusted proxies means no known client: never
//   the proxy's own address.
// - A PROXY protocol header (read only on listeners marked for it, only from trusted
//   peers) has already replaced the connection's address, and no header is read on such a
//   connection (its bytes come from the client unread, so a header would be the client's
//   own word): the client is the address it names, or nobody when that is a trusted proxy
//   (a local user through HAProxy) or the header said UNKNOWN / LOCAL.
#pragma once

#include "http/forwarded.hpp"
#include "http/http_types.hpp"
#include "http/options.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace breakwater::http {

// The client of `peer` (the connection's address after any PROXY header) given what the
// configured header's field lines say. nullopt: no known client.
std::optional<std::string> resolve_client(std::string_view peer, const forwarded_hops& hops,
                                          const client_trust& trust);

// Every field line of the configured header, in order, as one list of hops.
forwarded_hops reported_hops(std::span<const header_view> headers, client_header which);

// The client of this request; nullopt when nobody trustworthy said who it is.
std::optional<std::string> client_address(const request& req);

// Who is asking: the client; or when nobody was named, the trusted proxy itself if the request
// is its own (no forwarding header, or a PROXY LOCAL health check); empty when a proxy relayed
// a request naming nobody usable, or without a connection. Never a probe target: for access
// rules on what the server itself shows (/metrics).
std::string asking_address(const request& req);

// Whether the configured header names the connection's clients: only with a header
// configured, on a connection straight from a trusted proxy (not after a PROXY header).
// Its clients are then many, and the proxy's own address is no client to count
// connections of.
bool header_names_client(const connection_info& c) noexcept;

// Whether the client address is the connection's own peer (no proxy in between): only then
// is the kernel's round-trip time of the connection the client's.
bool client_is_peer(const request& req) noexcept;

}  // namespace breakwater::http
