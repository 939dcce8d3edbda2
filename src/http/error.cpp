#include "http/error.hpp"

#include "common/error_category.hpp"

#include <string_view>

namespace breakwater::http {
namespace {

std::string_view describe(errc e) noexcept {
  switch (e) {
    case errc::config_unreadable: return "the configuration file could not be read";
    case errc::config_invalid: return "the configuration is not valid";
    case errc::bad_listen_address:
      return "listen address must be ADDR:PORT or [IPV6]:PORT, optionally followed by "
             "\",proxy-protocol\", or off (e.g. 127.0.0.1:8080, [::]:8443,proxy-protocol)";
    case errc::state_dir_unusable:
      return "the state directory cannot be created or written (pass --state-dir DIR)";
    case errc::cert_unreadable:
      return "the certificate or key could not be read, or they do not belong together";
    case errc::cert_generation_failed: return "could not create a self-signed certificate";
    case errc::listen_failed:
      return "could not listen on the address (in use, or not an address of this host)";
    case errc::nothing_to_listen_on: return "both HTTP and HTTPS are off: nothing to serve";
    case errc::off_with_addresses:
      return "\"off\" must be the only entry of a listen list: give addresses, or off alone";
  }
  return "unknown HTTP server error";
}

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const common::enum_category<errc> instance("breakwater.http", describe);
  return instance;
}

}  // namespace breakwater::http
