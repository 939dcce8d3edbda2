// The raw SYN prober's inner parts, shared by its two halves: raw_syn_prober.cpp starts
// tries, sends their SYNs and gives up on them; raw_syn_receive.cpp reads the answers and
// hands each to the try it answers. Internal to the prober, and included by those two files
// alone: it brings Asio in.
#pragma once

#include "probe/detail/clock.hpp"
#include "probe/detail/keyed_hash.hpp"
#include "probe/detail/timer.hpp"
#include "probe/probers/raw_sockets.hpp"
#include "probe/probers/raw_syn_prober.hpp"
#include "probe/wire/raw_packet.hpp"

#include <boost/asio/ip/udp.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <memory_resource>
#include <unordered_map>
#include <utility>
#include <vector>

namespace breakwater::probe::raw_syn_detail {

namespace asio = boost::asio;
using boost::system::error_code;

// Tries in flight are found by the port they probe, then told apart by the number an answer
// acknowledges or quotes: their own, or (TCP only) an earlier try's of the same scan.
struct key {
  raw::ip_bytes target;
  std::uint16_t port = 0;
  friend bool operator==(const key&, const key&) = default;
};

// Salted with a random number of the prober's own (mix64): visitors choose the ports, and must
// not be able to tell which ones share a bucket. Three lookups a try, so not SipHash.
struct key_hash {
  std::uint64_t salt = 0;
  std::size_t operator()(const key& k) const noexcept {
    std::uint64_t high = 0, low = 0;
    std::memcpy(&high, k.target.b.data(), 8);
    std::memcpy(&low, k.target.b.data() + 8, 8);
    std::uint64_t h = mix64(mix64(high ^ salt) ^ low);
    return static_cast<std::size_t>(mix64(h ^ (std::uint64_t{k.port} << 1 | k.target.v6)));
  }
};

// Series of the tries that come without a scan count up from here; a scan's must be below.
inline constexpr std::uint64_t own_series = std::uint64_t{1} << 47;

// A try in flight, in a slot that is reused once the try has reported or been cancelled:
// no allocation per try once the slots exist. The generation tells a reused slot's try from
// the one a late handle or deadline names. A try that asked to linger stays in its slot past
// its timeout, reported silent, until its answer comes or the linger ends.
struct waiter {
  enum class stage : std::uint8_t { free, waiting, lingering, failing };
  stage now = stage::free;
  std::uint32_t generation = 0;
  raw_family* fam = nullptr;
  probe_sink* sink = nullptr;
  probe_tag tag = 0;
  time_point sent;
  raw::syn_fields syn;  // what an answer must match, field for field
  // The number of the scan's first try of the port, and how many it sent before this one:
  // the numbers of those (raw::nth_sequence), whose answers this try takes too.
  std::uint32_t first_seq = 0;
  std::uint32_t earlier = 0;
  duration linger{};
};

// When a try gives up: every try waits in one heap, behind one timer, not a timer each.
// Entries of tries that ended earlier stay until they come up and are skipped then.
struct deadline {
  time_point at;
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  friend bool operator>(const deadline& a, const deadline& b) { return a.at > b.at; }
};

// Datagrams read per recvmmsg(): a burst of answers costs one call, not one call each.
inline constexpr std::size_t receive_batch = 32;
inline constexpr std::size_t receive_size = 2048;

// A SYN waiting for the flush at the end of the event loop's turn: the tries a scan (or every
// scan woken in one tick) starts together leave in one sendmmsg() per family.
struct outgoing {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  duration timeout{};
  std::array<std::uint8_t, raw::syn_size> syn{};
  asio::ip::udp::endpoint to;  // the port must be 0: the SYN carries it
};
inline constexpr std::size_t send_batch = 64;

struct send_buffers {
  std::array<iovec, send_batch> iov{};
  std::array<mmsghdr, send_batch> msgs{};
};

struct receive_buffers {
  std::array<std::array<std::uint8_t, receive_size>, receive_batch> data{};
  std::array<iovec, receive_batch> iov{};
  std::array<sockaddr_storage, receive_batch> from{};
  std::array<mmsghdr, receive_batch> msgs{};
};

inline probe_handle handle_of(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<probe_handle>(generation) << 32) | slot;
}

struct state {
  state(asio::any_io_executor e, const siphash_key& isn, std::uint64_t buckets)
      : ex(e),
        v4(e, false),
        v6(e, true),
        pending(64, key_hash{buckets}, {}, &pool),
        timeouts(e),
        isn_key(isn) {}

  asio::any_io_executor ex;
  raw_family v4;
  raw_family v6;
  bool has_v6 = false;
  std::vector<waiter> waiters;
  std::vector<std::uint32_t> free_slots;
  // The map's nodes come from a pool that keeps them for reuse (steady state: no malloc).
  std::pmr::unsynchronized_pool_resource pool;
  std::pmr::unordered_multimap<key, std::uint32_t, key_hash> pending;
  std::vector<deadline> deadlines;  // a min-heap on `at`
  timer timeouts;
  bool timeouts_busy = false;  // an async_wait on `timeouts` is outstanding
  time_point timeouts_at{};    // what it waits for
  std::unique_ptr<receive_buffers> rx = std::make_unique<receive_buffers>();
  std::unique_ptr<send_buffers> tx = std::make_unique<send_buffers>();
  std::vector<outgoing> outbox;   // started, not yet sent
  std::vector<outgoing> sending;  // the outbox being flushed (both keep their capacity)
  // The source address the kernel picks for each target (its route), looked up once a while.
  std::map<asio::ip::address, std::pair<raw::ip_bytes, time_point>> sources;
  // Sequence numbers: a keyed hash of the SYN's fields and the try's series, stepped for
  // each later try of the port (raw::nth_sequence). The key comes from the kernel's CSPRNG
  // and never leaves this process.
  siphash_key isn_key{};
  std::uint64_t next_own_series = own_series;

  std::uint32_t take_slot() {
    if (free_slots.empty()) {
      waiters.emplace_back();
      return static_cast<std::uint32_t>(waiters.size() - 1);
    }
    std::uint32_t slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  }

  waiter* live(probe_handle h) {
    auto slot = static_cast<std::uint32_t>(h);
    if (slot >= waiters.size()) return nullptr;
    waiter& w = waiters[slot];
    if (w.now == waiter::stage::free || w.generation != static_cast<std::uint32_t>(h >> 32)) {
      return nullptr;
    }
    return &w;
  }

  boost::system::result<raw::ip_bytes> source_for(const asio::ip::address& target) {
    time_point now = clock::now();
    auto it = sources.find(target);
    if (it != sources.end() && now - it->second.second < std::chrono::seconds(10)) {
      return it->second.first;
    }
    // connect() on a UDP socket sends nothing; it only asks the routing table.
    asio::ip::udp::socket s(ex);
    error_code ec;
    s.open(target.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec) s.connect(asio::ip::udp::endpoint(target, 9), ec);
    if (ec) return ec;
    auto local = s.local_endpoint(ec);
    if (ec) return ec;
    if (sources.size() > 4096) sources.clear();
    raw::ip_bytes b = raw::to_bytes(local.address());
    sources[target] = {b, now};
    return b;
  }
};

// Frees the try's slot; once nothing waits, the sockets stop being read and the timer stops,
// so that an idle prober leaves its io_context without work.
void release(state& st, std::uint32_t slot);
// The try in `slot` ended, or (a lingering try's answer) came `late`: its slot is freed
// first, as the sink may start or cancel others.
void report(state& st, std::uint32_t slot, const probe_outcome& o, bool late = false);
// Reads family `f`'s sockets while tries of it wait (raw_syn_receive.cpp).
void start_reading(const std::shared_ptr<state>& st, raw_family& f);
// Reads every answer already waiting, on both families.
void drain_all(state& st);

}  // namespace breakwater::probe::raw_syn_detail
