#include "db/sha256.hpp"

#include <openssl/evp.h>

#include <array>

namespace breakwater::db {

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  // EVP_Digest cannot fail for SHA-256 on memory short of allocation failure; an empty
  // result then fails every comparison, which is the safe outcome for a check.
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 0x0f];
  }
  return out;
}

}  // namespace breakwater::db
