// A scan's verdicts as its view shows them (the last word on each port, in ascending port
// order, TCP then UDP) read in place from the packed verdicts (compact_verdicts) the service
// keeps or a reader packed: 4 bytes of order per port instead of a copy of every verdict. A
// full range's verdicts are 15 MB as port_results; an answer that reads them through this
// never holds more than the slice it is formatting. Asio-free.
#pragma once

#include "probe/verdict.hpp"
#include "scan/compact_verdicts.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace breakwater::scan {

using verdict_list = std::vector<probe::port_result>;

// The verdicts a reader took under the service's lock, to read after it: the list of a
// running scan (appended to only, so its first `count` stay as they are) or the packed
// verdicts of an ended one, in the order they were decided.
struct verdicts_taken {
  std::shared_ptr<const verdict_list> list;
  std::shared_ptr<const compact_verdicts> packed;
  std::size_t count = 0;

  // The verdicts packed, outside the lock: an ended scan's as they are; a running scan's first
  // `count` packed anew, so that a reader does not keep its list (reserved for every port of
  // it, 240 bytes each) after the scan ended and the registry stopped counting it.
  std::shared_ptr<const compact_verdicts> pack() const;
};

// Cheap to copy: copies share the order (a scan that ended keeps one, made when it ended,
// for every reader after).
class verdict_order {
 public:
  verdict_order() = default;
  explicit verdict_order(std::shared_ptr<const compact_verdicts> verdicts);  // not null

  std::size_t size() const noexcept { return order_->size(); }
  std::size_t tcp_count() const noexcept { return tcp_count_; }
  std::size_t udp_count() const noexcept { return order_->size() - tcp_count_; }
  // The i-th verdict in order: TCP ones are [0, tcp_count()), UDP ones after them.
  probe::port_result operator[](std::size_t i) const { return (*verdicts_)[(*order_)[i]]; }
  probe::scan_summary tcp_summary() const noexcept { return tcp_summary_; }
  probe::scan_summary udp_summary() const noexcept { return udp_summary_; }

  // Copies every verdict into `into.ports` and `into.udp` (for answers built whole).
  void put_into(probe::scan_result& into) const;

  // The heap the order itself takes (for the registry's memory count).
  std::size_t order_capacity_bytes() const noexcept {
    return order_->capacity() * sizeof(std::uint32_t);
  }

 private:
  std::shared_ptr<const compact_verdicts> verdicts_;
  // Indices into verdicts_, in the order above. Never null.
  std::shared_ptr<const std::vector<std::uint32_t>> order_ =
      std::make_shared<const std::vector<std::uint32_t>>();
  std::size_t tcp_count_ = 0;
  probe::scan_summary tcp_summary_, udp_summary_;
};

}  // namespace breakwater::scan
