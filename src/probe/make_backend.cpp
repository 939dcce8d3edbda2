#include "probe/make_backend.hpp"

#include "probe/probers/raw_syn_prober.hpp"
#include "probe/probers/tcp_connect_prober.hpp"

namespace breakwater::probe {
namespace {

// Why "auto" got no raw sockets, in words for a service's start-up log.
std::string why_not_raw(const failure& f) {
  if (f.code == make_error_code(errc::no_permission)) {
    return "this process may not open raw sockets (that needs CAP_NET_RAW or root)";
  }
  return f.message();
}

}  // namespace

boost::system::result<opened_backend, failure> open_backend(boost::asio::any_io_executor ex,
                                                            backend_kind kind) {
  if (kind == backend_kind::connect) {
    return opened_backend{std::make_shared<tcp_connect_prober>(), backend_kind::connect, {}};
  }
  auto raw = raw_syn_prober::open(std::move(ex));
  if (raw) return opened_backend{std::move(*raw), backend_kind::raw_syn, {}};
  if (kind == backend_kind::raw_syn) return raw.error();
  return opened_backend{std::make_shared<tcp_connect_prober>(), backend_kind::connect,
                        why_not_raw(raw.error())};
}

boost::system::result<std::shared_ptr<prober>, failure> make_backend(
    boost::asio::any_io_executor ex, backend_kind kind) {
  auto opened = open_backend(std::move(ex), kind);
  if (!opened) return opened.error();
  return std::move(opened->backend);
}

}  // namespace breakwater::probe
