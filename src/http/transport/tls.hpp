// The TLS setup: TLS 1.2 and 1.3 only, a modern cipher list, ALPN http/1.1; and reading a
// finished handshake's parameters. Asio's SSL types stay out of this header.
#pragma once

#include "http/http_types.hpp"

#include <boost/system/result.hpp>

#include <memory>
#include <mutex>
#include <string>

struct ssl_st;
namespace boost::asio::ssl {
class context;
}

namespace breakwater::http {

// Loads the PEM certificate chain and key; fails when either cannot be read or they do
// not belong together.
boost::system::result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
    const std::string& cert_file, const std::string& key_file);

tls_info read_tls_info(const ssl_st* ssl);

// What a handshake is made with: the TLS context (certificate chain and key) and what pages
// show of that certificate.
struct tls_identity {
  std::shared_ptr<boost::asio::ssl::context> context;
  cert_info cert;
};

// make_tls_context and read_cert_info together: both files read now, or an error.
boost::system::result<std::shared_ptr<const tls_identity>> load_tls_identity(
    const std::string& cert_file, const std::string& key_file);

// The identity new handshakes take. A reload (SIGHUP) replaces it from another thread; each
// connection copies it once, just before its handshake, and keeps that copy to its end, so a
// connection never changes certificate under it.
class tls_identity_store {
 public:
  explicit tls_identity_store(std::shared_ptr<const tls_identity> first)
      : current_(std::move(first)) {}

  std::shared_ptr<const tls_identity> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  void replace(std::shared_ptr<const tls_identity> next) {
    std::lock_guard lock(mutex_);
    current_.swap(next);
    // The old identity is released after the lock, by `next`: its last user may be here.
  }

 private:
  mutable std::mutex mutex_;  // held for a pointer copy only: one per TLS handshake
  std::shared_ptr<const tls_identity> current_;
};

}  // namespace breakwater::http
