// Connections per client, so that one visitor cannot hold every connection the server
// allows. A client is an IPv4 address or an IPv6 /64 (common/holder.hpp: one subscriber
// commonly has a whole /64 and could otherwise open connections from as many addresses as it
// likes), and an IPv6 /48 may hold common::wide_tier_factor times that, so that the many /64s
// of one site do not multiply the share. Shared by every worker thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace breakwater::http {

class client_slots {
 public:
  explicit client_slots(std::size_t per_client);

  // What an address is counted under: its holder and, for IPv6, its /48. Text that is no
  // address has neither and is not counted.
  struct keys {
    std::string holder;
    std::string wide;
  };
  static keys keys_of(std::string_view address);

  // Takes a slot for the holder and one for its /48; false (nothing taken) when either
  // already has all of its.
  bool acquire(const keys& k);
  void release(const keys& k);

  // Slots held under one key (a holder or a /48), for tests.
  std::size_t held(const std::string& key) const;

 private:
  std::size_t per_client_;
  std::size_t per_wide_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::size_t> held_;
};

// Holds one slot for as long as it lives.
class client_slot {
 public:
  client_slot() = default;
  client_slot(client_slots& slots, client_slots::keys keys)
      : slots_(&slots), keys_(std::move(keys)) {
    if (!slots_->acquire(keys_)) {
      slots_ = nullptr;
      over_ = true;
    }
  }
  ~client_slot() {
    if (slots_ != nullptr) slots_->release(keys_);
  }
  client_slot(client_slot&& o) noexcept
      : slots_(std::exchange(o.slots_, nullptr)), keys_(std::move(o.keys_)), over_(o.over_) {}
  client_slot& operator=(client_slot&& o) noexcept {
    if (this != &o) {
      if (slots_ != nullptr) slots_->release(keys_);
      slots_ = std::exchange(o.slots_, nullptr);
      keys_ = std::move(o.keys_);
      over_ = o.over_;
    }
    return *this;
  }
  // True when the client (or its /48) was already at its limit: this connection is turned
  // away.
  bool over() const noexcept { return over_; }

 private:
  client_slots* slots_ = nullptr;
  client_slots::keys keys_;
  bool over_ = false;
};

}  // namespace breakwater::http
