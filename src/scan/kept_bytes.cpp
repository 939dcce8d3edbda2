#include "scan/kept_bytes.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace breakwater::scan {
namespace {

// glibc's malloc: a chunk header and rounding up to 16 bytes, about this much a block.
constexpr std::size_t block_overhead = 16;

std::size_t block(std::size_t bytes) { return bytes == 0 ? 0 : bytes + block_overhead; }

// A string costs a block only when it outgrew its inline buffer.
std::size_t heap(const std::string& s) {
  const char* self = reinterpret_cast<const char*>(&s);
  bool inline_buffer = s.data() >= self && s.data() < self + sizeof s;
  return inline_buffer ? 0 : block(s.capacity() + 1);
}

template <class T>
std::size_t array(const std::vector<T>& v) {
  return block(v.capacity() * sizeof(T));
}

// A port set keeps its runs of consecutive ports, two 16-bit ends each.
std::size_t heap(const probe::port_set& s) {
  return block(s.ranges().size() * 2 * sizeof(std::uint16_t));
}

std::size_t heap(const probe::scan_result& r) {
  std::size_t n = array(r.ports) + array(r.udp);
  for (const auto& p : r.ports) n += verdict_heap_bytes(p);
  for (const auto& p : r.udp) n += verdict_heap_bytes(p);
  if (r.ping) n += heap(r.ping->method) + heap(r.ping->error);
  if (r.upnp) {
    n += heap(r.upnp->from) + heap(r.upnp->status_line) + heap(r.upnp->error) +
         array(r.upnp->headers);
    for (const auto& [name, value] : r.upnp->headers) n += heap(name) + heap(value);
  }
  if (r.stopped_by) n += heap(r.stopped_by->detail);
  return n;
}

std::size_t heap(const scan_view& v) {
  return heap(v.id) + heap(v.target) + heap(v.error) + heap(v.ports) + heap(v.udp_ports) +
         heap(v.result);
}

// The registry keeps the id three times (its map, the kept order, the holder's list), and
// an IPv6 scan's a fourth time (its /48's list): a map node and a deque slot for each list.
std::size_t registry_entries(const scan_record& r) {
  constexpr std::size_t map_node =
      4 * sizeof(void*) + sizeof(std::string) + sizeof(std::shared_ptr<scan_record>);
  const std::size_t lists = r.who.wide.empty() ? 2 : 3;
  return block(map_node) + lists * sizeof(std::string) + (lists + 1) * heap(r.view.id);
}

}  // namespace

std::size_t verdict_heap_bytes(const probe::port_result& p) {
  if (!p.udp) return 0;
  return heap(p.udp->protocol) + heap(p.udp->text) + heap(p.udp->summary) + heap(p.udp->finding);
}

std::size_t estimate_kept_bytes(const scan_record& r) {
  // make_shared: one block for the control block and the object.
  std::size_t n = block(2 * sizeof(void*) + sizeof(scan_record)) + heap(r.view) +
                  heap(r.who.address) + heap(r.who.holder) + heap(r.who.wide) + registry_entries(r);
  n += block(2 * sizeof(void*) + sizeof(verdict_list)) + array(*r.decided);
  for (const auto& p : *r.decided) n += verdict_heap_bytes(p);
  if (r.packed) {
    n += block(2 * sizeof(void*) + sizeof(compact_verdicts)) +
         block(r.packed->packed_capacity_bytes()) +
         block(r.packed->apart().capacity() * sizeof(r.packed->apart().front()));
    for (const auto& [index, p] : r.packed->apart()) n += verdict_heap_bytes(p);
  }
  if (r.order) n += block(2 * sizeof(void*) + 32) + block(r.order->order_capacity_bytes());
  n += array(r.tail);
  for (const auto& e : r.tail) n += heap(e.name) + heap(e.data);
  // Subscribers are not counted: their number is bounded by the stream limits and they
  // come and go with the connections.
  return n;
}

}  // namespace breakwater::scan
