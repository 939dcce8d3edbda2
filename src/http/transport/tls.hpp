// The TLS setup: TLS 1.2 and 1.3 only, a modern cipher list, ALPN http/1.1; and reading a
// finished handshake's parameters. Asio's SSL types stay out of this header.
#pragma once

#include "http/http_types.hpp"

#include <boost/system/result.hpp>

#include <memory>
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

}  // namespace breakwater::http
