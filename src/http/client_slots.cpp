#include "http/client_slots.hpp"

#include "common/holder.hpp"

#include <utility>

namespace breakwater::http {

client_slots::client_slots(std::size_t per_client)
    : per_client_(per_client), per_wide_(per_client * common::wide_tier_factor) {}

client_slots::keys client_slots::keys_of(std::string_view address) {
  auto h = common::holders_of(address);
  if (!h) return {};
  return {std::move(h->holder), std::move(h->wide)};
}

bool client_slots::acquire(const keys& k) {
  if (k.holder.empty()) return true;
  std::lock_guard lock(mu_);
  auto count = [this](const std::string& key) {
    auto it = held_.find(key);
    return it == held_.end() ? std::size_t{0} : it->second;
  };
  if (count(k.holder) >= per_client_) return false;
  if (!k.wide.empty() && count(k.wide) >= per_wide_) return false;
  ++held_[k.holder];
  if (!k.wide.empty()) ++held_[k.wide];
  return true;
}

void client_slots::release(const keys& k) {
  if (k.holder.empty()) return;
  std::lock_guard lock(mu_);
  for (const std::string* key : {&k.holder, &k.wide}) {
    if (key->empty()) continue;
    auto it = held_.find(*key);
    if (it != held_.end() && --it->second == 0) held_.erase(it);
  }
}

std::size_t client_slots::held(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  return it == held_.end() ? 0 : it->second;
}

}  // namespace breakwater::http
