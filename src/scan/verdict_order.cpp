#include "scan/verdict_order.hpp"

#include <algorithm>

namespace breakwater::scan {

std::shared_ptr<const compact_verdicts> verdicts_taken::pack() const {
  if (!list) return packed;
  return std::make_shared<const compact_verdicts>(*list, count);
}

// Sorts keys (transport, port, decision index, state) and keeps the last of each port: a
// port decided twice (a re-check that revised it) shows its later verdict. The state rides in
// the key so that each verdict is unpacked once.
verdict_order::verdict_order(std::shared_ptr<const compact_verdicts> verdicts)
    : verdicts_(std::move(verdicts)) {
  constexpr int port_shift = 44;  // below it: the index (40 bits) and the state (4)
  std::vector<std::uint64_t> keys(verdicts_->size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    probe::port_result p = (*verdicts_)[i];
    std::uint64_t udp = p.proto == probe::transport::udp ? 1 : 0;
    keys[i] = udp << 60 | std::uint64_t{p.port} << port_shift | std::uint64_t{i} << 4 |
              static_cast<std::uint64_t>(p.state);
  }
  std::sort(keys.begin(), keys.end());
  auto order = std::make_shared<std::vector<std::uint32_t>>();
  order->reserve(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (k + 1 < keys.size() && keys[k + 1] >> port_shift == keys[k] >> port_shift) continue;
    order->push_back(static_cast<std::uint32_t>(keys[k] >> 4));
    bool udp = keys[k] >> 60 != 0;
    if (!udp) ++tcp_count_;
    (udp ? udp_summary_ : tcp_summary_).add(static_cast<probe::port_state>(keys[k] & 0xf));
  }
  order->shrink_to_fit();  // a revised port leaves its slot unused
  order_ = std::move(order);
}

void verdict_order::put_into(probe::scan_result& into) const {
  into.ports.clear();
  into.udp.clear();
  into.ports.reserve(tcp_count_);
  into.udp.reserve(udp_count());
  for (std::size_t i = 0; i < size(); ++i) {
    (i < tcp_count_ ? into.ports : into.udp).push_back((*this)[i]);
  }
}

}  // namespace breakwater::scan
