// Turns a parsed request into the bytes of its answer: routing, the per-worker cache of
// shareable responses, ETag/304, HEAD, gzip, and the response head with its security
// headers. No Beast here: the session only moves bytes.
#pragma once

#include "http/handler.hpp"
#include "http/http_types.hpp"

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace breakwater::http {

// The Content-Security-Policy every answer carries. A handler whose page's script must talk
// to other origins too (the site's own sibling origins) sets the header itself, built here
// with those origins added to connect-src; the responder then sends that one instead.
std::string content_security_policy(std::string_view extra_connect_src = {});

// A response as kept for reuse: both representations and their tags.
struct stored_response {
  unsigned status = 200;
  std::string_view content_type;
  std::string body;
  std::string gzip_body;  // empty when not worth compressing
  std::string etag, gzip_etag;
  std::vector<std::pair<std::string_view, std::string>> headers;
  cache_policy cache = cache_policy::no_store;
  std::size_t route = static_cast<std::size_t>(-1);
  // An answer that comes later (see response::later): the session serves it.
  std::shared_ptr<async_source> later;
  bool stream = false;
  std::string heartbeat;
  std::chrono::milliseconds heartbeat_every{0};
  std::chrono::milliseconds wait_limit{0};
};

struct reply {
  std::shared_ptr<const stored_response> stored;  // keeps `body` alive
  std::string_view body;                          // to send after the head (empty for HEAD, 304)
  unsigned status = 200;
  std::size_t route = static_cast<std::size_t>(-1);
  std::size_t content_length = 0;
};

// One per worker thread: its cache is touched by that thread only, so it takes no lock.
// The cache holds at most `cache_entries` answers and `cache_bytes` of bodies and keys
// (both representations), whichever is reached first; error answers are never kept.
class responder {
 public:
  explicit responder(const handler& h, std::size_t cache_entries = 512,
                     std::size_t cache_bytes = 16 << 20)
      : handler_(h), capacity_(cache_entries), byte_budget_(cache_bytes) {}

  // Writes the status line and headers into `head` (cleared first) and returns what follows.
  reply respond(const request& req, bool keep_alive, std::string& head);

  // An answer built without a request (a parse error, a timeout, too many connections):
  // a small page with the status, always closing the connection.
  reply respond_error(unsigned status, bool https, std::string& head);

  // What the cache holds now (bodies and keys), for tests and metrics.
  std::size_t cached_bytes() const noexcept { return bytes_; }

  // The answer a deferred response (stored->later without stream) delivered at last.
  reply complete(const request& req, response res, std::size_t route, bool keep_alive,
                 std::string& head);

 private:
  std::shared_ptr<const stored_response> lookup_or_render(const request& req);
  std::shared_ptr<const stored_response> store(handled h, bool keep);
  reply stream_head(const request* req, std::shared_ptr<const stored_response> s, bool https,
                    std::string& head);
  reply finish(const request* req, std::shared_ptr<const stored_response> s, bool keep_alive,
               bool https, std::string& head);
  void keep(std::shared_ptr<const stored_response> s);
  void evict_oldest();

  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using lru_list = std::list<std::string>;
  struct cache_entry {
    std::shared_ptr<const stored_response> value;
    lru_list::iterator position;
  };

  const handler& handler_;
  std::size_t capacity_;
  std::size_t byte_budget_;
  std::size_t bytes_ = 0;  // what the cached entries hold
  std::unordered_map<std::string, cache_entry, key_hash, std::equal_to<>> cache_;
  lru_list lru_;     // most recently used first
  std::string key_;  // reused for every lookup
};

// "Fri, 27 Nov 2026 12:00:00 GMT" for the current second, formatted once per second per thread.
std::string_view http_date();

}  // namespace breakwater::http
