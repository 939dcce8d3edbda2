#include "site/csrf.hpp"

#include "common/text.hpp"
#include "http/host_rules.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace breakwater::site {
namespace {

std::string random_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL could not provide random bytes for the form secret");
  }
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

// Two lower-case hex digits as a byte, or -1.
int byte_of(std::string_view two) noexcept {
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  int hi = digit(two[0]), lo = digit(two[1]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// "http://host:port" -> "host:port"; empty when it is not an http(s) origin.
std::string_view authority_of(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.size() > scheme.size() && common::iequals(origin.substr(0, scheme.size()), scheme)) {
      return origin.substr(scheme.size());
    }
  }
  return {};
}

}  // namespace

csrf_guard::csrf_guard(std::chrono::seconds window) : csrf_guard(random_secret(), window) {}

csrf_guard::csrf_guard(std::string secret, std::chrono::seconds window)
    : secret_(std::move(secret)), window_(window.count() > 0 ? window : std::chrono::seconds(1)) {}

std::uint64_t csrf_guard::window_of(std::chrono::system_clock::time_point now) const {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return s < 0 ? 0 : static_cast<std::uint64_t>(s) / static_cast<std::uint64_t>(window_.count());
}

// The raw HMAC bytes.
std::string csrf_guard::mac(std::string_view address, std::uint64_t window) const {
  std::string message = "breakwater-form\n";
  message.append(address).append("\n").append(std::to_string(window));
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return {reinterpret_cast<const char*>(out.data()), len};
}

// A page carries its token masked with fresh random bytes (mask, then mac XOR mask), so no
// two responses hold the same secret bytes: compression cannot be used to guess the token
// from reflected text (BREACH), and the pages stay compressible.
std::string csrf_guard::issue(std::string_view address,
                              std::chrono::system_clock::time_point now) const {
  std::uint64_t w = window_of(now);
  std::string m = mac(address, w);
  std::string mask(m.size(), '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(mask.data()), static_cast<int>(mask.size())) !=
      1) {
    throw std::runtime_error("OpenSSL could not provide random bytes for a form token");
  }
  std::string masked(m.size(), '\0');
  for (std::size_t i = 0; i < m.size(); ++i) masked[i] = static_cast<char>(m[i] ^ mask[i]);
  auto bytes = [](const std::string& b) {
    return hex(reinterpret_cast<const unsigned char*>(b.data()), b.size());
  };
  return std::to_string(w) + "." + bytes(mask) + bytes(masked);
}

bool csrf_guard::check(std::string_view token, std::string_view address,
                       std::chrono::system_clock::time_point now) const {
  std::size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::uint64_t w = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + dot, w);
  if (ec != std::errc{} || end != token.data() + dot) return false;
  std::uint64_t current = window_of(now);
  if (w != current && w + 1 != current) return false;  // this window or the one before
  std::string want = mac(address, w);
  std::string_view text = token.substr(dot + 1);
  if (text.size() != 4 * want.size()) return false;
  std::string got(want.size(), '\0');
  for (std::size_t i = 0; i < want.size(); ++i) {
    int mask = byte_of(text.substr(2 * i, 2));
    int masked = byte_of(text.substr(2 * (want.size() + i), 2));
    if (mask < 0 || masked < 0) return false;
    got[i] = static_cast<char>(mask ^ masked);
  }
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

bool same_origin(const request& req, const sibling_origins& siblings) noexcept {
  const http::host_rules* names = req.conn != nullptr ? req.conn->hosts : nullptr;
  if (is_site_origin(req.header("origin"), siblings, names)) return true;
  std::string_view fetch_site = req.header("sec-fetch-site");
  if (common::iequals(fetch_site, "cross-site") || common::iequals(fetch_site, "same-site"))
    return false;
  std::string_view origin = req.header("origin");
  if (origin.empty()) return true;
  // With our Referrer-Policy no-referrer, browsers send "Origin: null" on form posts; their
  // Sec-Fetch-Site then still says where the form was.
  if (origin == "null") return common::iequals(fetch_site, "same-origin");
  std::string_view authority = authority_of(origin);
  if (authority.empty()) return false;
  // Behind a proxy that rewrites Host (nginx's default $proxy_host), the browser's origin
  // is one of the configured server names instead.
  if (names != nullptr && names->is_server_name(http::host_part(authority))) return true;
  std::string_view host = req.header("host");
  return !host.empty() && common::iequals(authority, host);
}

}  // namespace breakwater::site
