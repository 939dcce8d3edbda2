// Requests and responses as handlers see them: plain views and strings, no Beast, so that
// pages, the API and their tests compile without Asio.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::http {

enum class method { get, head, post, put, del, options, other };

method parse_method(std::string_view text) noexcept;
std::string_view to_string(method m) noexcept;

struct header_view {
  std::string_view name;
  std::string_view value;
};

// This connection's TLS parameters, read once after the handshake.
struct tls_info {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  std::string alpn;     // "http/1.1", or empty when the client offered none
  std::string sni;      // the server name the client asked for, or empty
};

// The server certificate's details shown on HTTPS pages; the same for every connection.
struct cert_info {
  std::string subject;
  std::string issuer;
  std::string not_before;  // "2026-11-27 12:00:00 UTC"
  std::string not_after;
  std::string sha256;  // "AB:CD:..." fingerprint of the DER certificate
  // When it was read: whole days until not_after (negative once expired), and whether
  // not_before is still to come. Browsers refuse a certificate out of its dates.
  long days_left = 0;
  bool not_yet_valid = false;

  bool expired() const noexcept { return days_left < 0; }
  bool in_date() const noexcept { return !expired() && !not_yet_valid; }
};

struct client_trust;
class host_rules;

// Who is on the other end of the connection. Handlers that need the client's address (the
// scan service probes exactly that address) or its round-trip time read it here.
struct connection_info {
  bool https = false;
  std::string client_address;  // normalised: an IPv4-mapped IPv6 address is IPv4
  // false after a PROXY UNKNOWN / LOCAL header: nobody said who the client is.
  bool client_known = true;
  std::uint16_t client_port = 0;
  std::uint16_t local_port = 0;   // the listener's port
  int native_socket = -1;         // for measure_rtt_us(); -1 when there is no real socket
  const tls_info* tls = nullptr;  // set on HTTPS after the handshake
  const cert_info* cert = nullptr;
  // Whose headers name the client (client_address.hpp); null: nobody's.
  const client_trust* trust = nullptr;
  // The Host names this server answers to; null: IP literals and localhost only.
  const host_rules* hosts = nullptr;
  // The connection's own peer when a trusted PROXY protocol header replaced client_address.
  std::string proxy_peer;
};

// The kernel's smoothed round-trip time of the connection (TCP_INFO), in microseconds; 0
// when unknown. Read on demand, so connections that never ask pay nothing.
std::uint32_t measure_rtt_us(const connection_info& c) noexcept;

struct request {
  method verb = method::get;
  unsigned version = 11;    // 10 or 11
  std::string_view target;  // as sent: path and query
  std::string_view path;    // before '?'
  std::string_view query;   // after '?', still encoded
  std::span<const header_view> headers;
  std::string_view body;
  const connection_info* conn = nullptr;

  // The first header of that name (ASCII case-insensitive), or empty.
  std::string_view header(std::string_view name) const noexcept;
  bool https() const noexcept { return conn != nullptr && conn->https; }
};

enum class cache_policy {
  no_store,    // dynamic or per-client content
  revalidate,  // ETag; clients ask again with If-None-Match
  immutable,   // content-addressed static files: cache for a year
};

struct response;

// Where an answer produced later goes. Thread-safe: call from any thread; the session
// moves each call onto its own executor. Calls after the client has gone do nothing.
class async_sink {
 public:
  virtual ~async_sink() = default;
  virtual void write(std::string bytes) = 0;  // streamed: the next piece (an empty one: none)
  virtual void end() = 0;                     // streamed: the body is complete
  virtual void complete(response whole) = 0;  // deferred: the whole answer, once
};

// Produces an answer after the handler has returned (server-sent events, or a response that
// waits for a probe). The session calls start() once, on its own thread, and destroys the
// source when the stream ends, the client goes away or the server shuts down: a source
// stops producing (ends its subscriptions) in its destructor.
class async_source {
 public:
  virtual ~async_source() = default;
  virtual void start(std::shared_ptr<async_sink> sink) = 0;
  // Streams: the session has taken a piece or more, everything written so far, into its
  // output (on its own thread; never when it took nothing). A source that writes in bounded
  // pieces writes the next one now: a client that stops reading then holds two pieces (the
  // one being sent and the next), not the whole answer. Such a source writes its first piece
  // in start(): this call follows only a piece taken.
  virtual void on_drained() {}
  // Deferred answers: what the client gets when the answer did not come within the
  // response's wait_limit. The source knows its format (an API answers in JSON).
  virtual response timeout_answer() const;
};

struct response {
  unsigned status = 200;
  std::string_view content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string_view, std::string>> headers;  // extra, e.g. Location
  cache_policy cache = cache_policy::no_store;
  // The same bytes for every request with this method, target and Host on this kind of
  // connection (and, over HTTPS, these TLS parameters): a worker may keep and reuse it.
  bool shareable = false;
  // Set: the answer comes later from `later` (never cached, never compressed). With
  // `stream`, the head goes out now (no Content-Length; the connection closes after the
  // body) and the body follows in pieces, with `heartbeat` sent whenever nothing else was
  // for `heartbeat_every`; without, the whole response is awaited for at most `wait_limit`.
  std::shared_ptr<async_source> later;
  bool stream = false;
  std::string heartbeat = ": keep-alive\n\n";
  std::chrono::milliseconds heartbeat_every{15'000};
  std::chrono::milliseconds wait_limit{60'000};
};

}  // namespace breakwater::http
