// The per-address probe budget: how many probes one address may ask for in a sliding hour.
#pragma once

#include "common/holder.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace breakwater::scan {

class probe_budget {
 public:
  using clock = std::chrono::steady_clock;

  explicit probe_budget(std::size_t per_hour, std::chrono::seconds window = std::chrono::hours(1),
                        unsigned v6_prefix = 64)
      : per_hour_(per_hour), window_(window), prefix_(v6_prefix) {}

  // Addresses are charged to common::holder_of(address, v6_prefix): an IPv4 address or
  // an IPv6 /64, or with `v6_prefix` 48 the wider tier (common/holder.hpp).
  // Charges `probes` to `address` when they fit in what is left of the window; otherwise
  // charges nothing and returns how long until they would fit (a zero duration: charged).
  std::chrono::seconds charge(std::string_view address, std::size_t probes, clock::time_point now);

  // Gives back probes that were charged but not sent (a scan refused later, or cancelled).
  void refund(std::string_view address, std::size_t probes);

  std::size_t used(std::string_view address, clock::time_point now);

  // Drops addresses whose charges have all left the window.
  void forget_old(clock::time_point now);

 private:
  // A holder's charges, oldest first, and their sum (kept, so a charge costs O(1) however
  // many small ones the hour holds).
  struct charges {
    std::deque<std::pair<clock::time_point, std::size_t>> items;
    std::size_t sum = 0;
  };
  void expire(charges& c, clock::time_point now) const;

  std::size_t per_hour_;
  std::chrono::seconds window_;
  unsigned prefix_;
  std::map<std::string, charges, std::less<>> by_address_;
};

}  // namespace breakwater::scan
