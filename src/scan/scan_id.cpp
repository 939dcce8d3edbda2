#include "scan/probe_service.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace breakwater::scan {

std::string new_scan_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // No randomness means guessable ids: refuse rather than serve someone else's results.
    throw std::runtime_error("OpenSSL RAND_bytes failed: cannot make an unguessable scan id");
  }
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  unsigned value = 0;
  for (unsigned char b : bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(value >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(value << (6 - bits)) & 63]);
  return out;
}

}  // namespace breakwater::scan
