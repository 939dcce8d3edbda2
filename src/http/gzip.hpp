// gzip compression (zlib) and the Accept-Encoding check.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace breakwater::http {

// The gzip (RFC 1952) form of `data`.
std::string gzip_compress(std::string_view data);

// gzip made a piece at a time, for a body streamed in pieces: one stream, one gzip member.
// About 40 KB of zlib state while it lives.
class gzip_stream {
 public:
  gzip_stream();
  ~gzip_stream();
  gzip_stream(const gzip_stream&) = delete;
  gzip_stream& operator=(const gzip_stream&) = delete;

  // The compressed bytes `data` gives so far: often none, as zlib gathers a block. With
  // `last`, also whatever was held back and the trailer; nothing may follow it.
  std::string add(std::string_view data, bool last);

 private:
  struct state;
  std::unique_ptr<state> z_;
};

// True when an Accept-Encoding value accepts gzip (by name or "*", with a q above zero).
bool accepts_gzip(std::string_view accept_encoding) noexcept;

// Worth compressing: text types of a size where the header overhead pays off.
bool compressible(std::string_view content_type, std::size_t size) noexcept;

}  // namespace breakwater::http
