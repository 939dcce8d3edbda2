#include "probe/make_backend.hpp"

#include "probe/probers/raw_syn_prober.hpp"
#include "probe/probers/tcp_connect_prober.hpp"

namespace breakwater::probe {

boost::system::result<std::shared_ptr<prober>, failure> make_backend(
    boost::asio::any_io_executor ex, backend_kind kind) {
  if (kind == backend_kind::connect) return std::make_shared<tcp_connect_prober>();
  auto raw = raw_syn_prober::open(std::move(ex));
  if (raw) return std::shared_ptr<prober>(std::move(*raw));
  if (kind == backend_kind::raw_syn) return raw.error();
  return std::make_shared<tcp_connect_prober>();
}

}  // namespace breakwater::probe
