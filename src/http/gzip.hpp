// gzip compression (zlib) and the Accept-Encoding check.
#pragma once

#include <string>
#include <string_view>

namespace breakwater::http {

// The gzip (RFC 1952) form of `data`.
std::string gzip_compress(std::string_view data);

// True when an Accept-Encoding value accepts gzip (by name or "*", with a q above zero).
bool accepts_gzip(std::string_view accept_encoding) noexcept;

// Worth compressing: text types of a size where the header overhead pays off.
bool compressible(std::string_view content_type, std::size_t size) noexcept;

}  // namespace breakwater::http
