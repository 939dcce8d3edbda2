#include "http/error.hpp"

#include <string>

namespace breakwater::http {
namespace {

// Categories are static singletons never deleted through a base pointer (see db/error.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "breakwater.web"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
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
    }
    return "unknown web error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& web_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace breakwater::http
