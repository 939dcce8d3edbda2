#include "scan/compact_verdicts.hpp"

#include <algorithm>

namespace breakwater::scan {
namespace {

// The fields packing keeps, as they are now. A new field of probe::port_result would be lost
// silently: when this fails, teach pack() and operator[] the new field (or keep verdicts
// that use it apart), then update the size.
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(probe::port_result) == 240,
              "probe::port_result changed: check compact_verdicts packs every field");
#endif

template <class E>
unsigned as_bits(E e) {
  return static_cast<unsigned>(e);
}

}  // namespace

// Reads through data(): a running scan's list may be appended to meanwhile (only its first
// `n` are read), and operator[] with library assertions on reads the size being written.
compact_verdicts::compact_verdicts(const std::vector<probe::port_result>& list, std::size_t n) {
  const probe::port_result* all = list.data();
  packed_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!pack(all[i], packed_[i])) {
      packed_[i] = slot{all[i].port, 0, kept_apart, 0};
      apart_.emplace_back(static_cast<std::uint32_t>(i), all[i]);
    } else if (all[i].icmp) {
      packed_[i].tries |= with_icmp;
      icmp_.emplace_back(static_cast<std::uint32_t>(i),
                         static_cast<std::uint16_t>(all[i].icmp->type << 8 | all[i].icmp->code));
    }
  }
  apart_.shrink_to_fit();
  icmp_.shrink_to_fit();
}

// False when `p` needs more than a slot and a type and code: an ICMP error from a router on
// the way (its address), a UDP answer, 128 tries or more, an RTT past 4.29 s (or below
// zero), or an enumerator the bits cannot hold.
bool compact_verdicts::pack(const probe::port_result& p, slot& out) {
  if ((p.icmp && !p.icmp->from.is_unspecified()) || p.udp || p.tries >= with_icmp) return false;
  unsigned state = as_bits(p.state), why = as_bits(p.why), recheck = as_bits(p.rate_limit),
           proto = as_bits(p.proto);
  if (state > 3 || why > 7 || recheck > 3 || proto > 1) return false;
  std::uint32_t rtt = no_rtt;
  if (p.rtt) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*p.rtt).count();
    if (ns < 0 || ns >= no_rtt ||
        std::chrono::duration_cast<probe::duration>(std::chrono::nanoseconds(ns)) != *p.rtt) {
      return false;
    }
    rtt = static_cast<std::uint32_t>(ns);
  }
  out.port = p.port;
  out.bits = static_cast<std::uint8_t>(state | why << 2 | recheck << 5 | proto << 7);
  out.tries = static_cast<std::uint8_t>(p.tries);
  out.rtt_ns = rtt;
  return true;
}

probe::port_result compact_verdicts::operator[](std::size_t index) const {
  const slot& s = packed_[index];
  if (s.tries == kept_apart) {
    auto it = std::lower_bound(apart_.begin(), apart_.end(), index,
                               [](const auto& entry, std::size_t i) { return entry.first < i; });
    return it->second;
  }
  probe::port_result p;
  p.port = s.port;
  p.state = static_cast<probe::port_state>(s.bits & 3);
  p.why = static_cast<probe::reason>(s.bits >> 2 & 7);
  p.rate_limit = static_cast<probe::recheck>(s.bits >> 5 & 3);
  p.proto = static_cast<probe::transport>(s.bits >> 7 & 1);
  p.tries = s.tries & static_cast<std::uint8_t>(~with_icmp & 0xff);
  if ((s.tries & with_icmp) != 0) {
    auto it = std::lower_bound(icmp_.begin(), icmp_.end(), index,
                               [](const auto& entry, std::size_t i) { return entry.first < i; });
    p.icmp = probe::icmp_info{static_cast<std::uint8_t>(it->second >> 8),
                              static_cast<std::uint8_t>(it->second & 0xff),
                              {}};
  }
  if (s.rtt_ns != no_rtt)
    p.rtt = std::chrono::duration_cast<probe::duration>(std::chrono::nanoseconds(s.rtt_ns));
  return p;
}

}  // namespace breakwater::scan
