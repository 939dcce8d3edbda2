// Connections per client, so that one visitor cannot hold every connection the server
// allows. A client is an IPv4 address or an IPv6 /64: one subscriber commonly has a whole
// /64 (RFC 6177) and could otherwise open connections from as many addresses as it likes.
// Shared by every worker thread.
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
  explicit client_slots(std::size_t per_client) : per_client_(per_client) {}

  // The key `address` is counted under ("" for text that is no address: not counted).
  static std::string key_of(std::string_view address);

  // Takes a slot for `key`; false (nothing taken) when the client already has all of its.
  bool acquire(const std::string& key);
  void release(const std::string& key);

  std::size_t held(const std::string& key) const;

 private:
  std::size_t per_client_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::size_t> held_;
};

// Holds one slot for as long as it lives.
class client_slot {
 public:
  client_slot() = default;
  client_slot(client_slots& slots, std::string key) : slots_(&slots), key_(std::move(key)) {
    if (!slots_->acquire(key_)) {
      slots_ = nullptr;
      over_ = true;
    }
  }
  ~client_slot() {
    if (slots_ != nullptr) slots_->release(key_);
  }
  client_slot(client_slot&& o) noexcept
      : slots_(std::exchange(o.slots_, nullptr)), key_(std::move(o.key_)), over_(o.over_) {}
  client_slot& operator=(client_slot&& o) noexcept {
    if (this != &o) {
      if (slots_ != nullptr) slots_->release(key_);
      slots_ = std::exchange(o.slots_, nullptr);
      key_ = std::move(o.key_);
      over_ = o.over_;
    }
    return *this;
  }
  // True when the client was already at its limit: this connection is turned away.
  bool over() const noexcept { return over_; }

 private:
  client_slots* slots_ = nullptr;
  std::string key_;
  bool over_ = false;
};

}  // namespace breakwater::http
