#include "http/client_slots.hpp"

#include "common/cidr.hpp"

#include <algorithm>

namespace breakwater::http {

std::string client_slots::key_of(std::string_view address) {
  auto ip = common::parse_ip(address);
  if (!ip) return {};
  if (ip->v6) std::fill(ip->bytes.begin() + 8, ip->bytes.end(), std::uint8_t{0});
  std::string key(reinterpret_cast<const char*>(ip->bytes.data()), ip->size());
  return key;
}

bool client_slots::acquire(const std::string& key) {
  if (key.empty()) return true;
  std::lock_guard lock(mu_);
  std::size_t& n = held_[key];
  if (n >= per_client_) {
    if (n == 0) held_.erase(key);
    return false;
  }
  ++n;
  return true;
}

void client_slots::release(const std::string& key) {
  if (key.empty()) return;
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
}

std::size_t client_slots::held(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  return it == held_.end() ? 0 : it->second;
}

}  // namespace breakwater::http
