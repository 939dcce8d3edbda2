#include "http/transport/tls.hpp"

#include "http/error.hpp"
#include "http/transport/certificate.hpp"

#include <openssl/ssl.h>
#include <boost/asio/ssl/context.hpp>

namespace breakwater::http {
namespace {

// The ECDHE suites with AEAD ciphers; TLS 1.3's suites are OpenSSL's defaults, all modern.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Picks http/1.1 when the client offers it; otherwise goes on without ALPN, which a client
// reads as HTTP/1.1 too.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  unsigned char* chosen = nullptr;
  int rc = SSL_select_next_proto(&chosen, outlen, alpn_http11, sizeof alpn_http11, in, inlen);
  if (rc != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

boost::system::result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
    const std::string& cert_file, const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION);
  SSL_CTX_set_cipher_list(native, tls12_ciphers);
  // Every suite offered is strong, so the client's order decides (Mozilla's "intermediate"
  // profile, nginx's default): a phone without AES instructions picks ChaCha20, and most
  // clients pick AES-128-GCM, whose SHA-256 key schedule costs a handshake less than
  // SHA-384's.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  // Resumption by session ticket only: OpenSSL's server-side session cache is shared by
  // every thread behind one lock. One ticket per handshake is enough for a browser.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 1);
  // Send exactly the chain in the PEM file: without this, OpenSSL searches its store to
  // build a chain on every handshake (nginx turns it off for the same reason).
  SSL_CTX_set_mode(native, SSL_MODE_NO_AUTO_CHAIN);
  // tls_stream joins small pieces of a write in a buffer that a retry may rebuild elsewhere.
  SSL_CTX_set_mode(native, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (!ec) ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(native) != 1) return errc::cert_unreadable;
  return ctx;
}

boost::system::result<std::shared_ptr<const tls_identity>> load_tls_identity(
    const std::string& cert_file, const std::string& key_file) {
  auto ctx = make_tls_context(cert_file, key_file);
  if (!ctx) return ctx.error();
  auto info = read_cert_info(cert_file);
  if (!info) return info.error();
  return std::make_shared<const tls_identity>(tls_identity{std::move(*ctx), std::move(*info)});
}

tls_info read_tls_info(const ssl_st* ssl) {
  tls_info t;
  t.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) t.cipher = SSL_CIPHER_get_name(c);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn != nullptr) t.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) t.sni = sni;
  return t;
}

}  // namespace breakwater::http
