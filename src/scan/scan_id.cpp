#include "scan/probe_service.hpp"
#include "scan/reach_registry.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace breakwater::scan {
namespace {

// No randomness means guessable ids and nonces: refuse rather than serve someone else's
// results or accept a nonce that was never received.
std::array<unsigned char, 16> random_128_bits() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: cannot make an unguessable id");
  }
  return bytes;
}

}  // namespace

std::string new_scan_id() {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  unsigned value = 0;
  for (unsigned char b : random_128_bits()) {
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

std::string new_reach_nonce() {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : random_128_bits()) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

}  // namespace breakwater::scan
