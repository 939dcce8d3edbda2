// Errors that the web module returns at its edges, as boost::system::error_code.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace breakwater::http {

enum class errc {
  config_unreadable = 1,   // the --config file could not be read
  config_invalid,          // the config file or a flag has a wrong value (details in diagnostics)
  bad_listen_address,      // an address is not ADDR:PORT, [V6]:PORT or "off"
  state_dir_unusable,      // the state directory cannot be created or written
  cert_unreadable,         // --cert/--key could not be read or do not match
  cert_generation_failed,  // OpenSSL could not create the self-signed certificate
  listen_failed,           // binding or listening on an address failed
  nothing_to_listen_on,    // http and https both off
  off_with_addresses,      // "off" given beside addresses in one list
};

const boost::system::error_category& http_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

}  // namespace breakwater::http

template <>
struct boost::system::is_error_code_enum<breakwater::http::errc> : std::true_type {};
