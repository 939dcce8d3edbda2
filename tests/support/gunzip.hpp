// The text of a gzip member (or of several pieces of one, joined), for tests of what the server
// compresses. Link ZLIB::ZLIB.
#pragma once

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::testing {

// Nothing when `gz` is not one whole gzip member.
inline std::optional<std::string> gunzip(std::string_view gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    std::size_t had = out.size();
    out.resize(had + 64 * 1024);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + had);
    z.avail_out = 64 * 1024;
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
  }
  bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

}  // namespace breakwater::testing
