#include "scan/fair_use.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace breakwater::scan {

std::string budget_holder(std::string_view address, unsigned v6_prefix) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(address, ec);
  if (ec || !a.is_v6() || a.to_v6().is_v4_mapped()) return std::string(address);
  auto b = a.to_v6().to_bytes();
  std::size_t keep = std::min<std::size_t>(v6_prefix / 8, b.size());
  std::fill(b.begin() + static_cast<std::ptrdiff_t>(keep), b.end(), 0);
  return boost::asio::ip::address_v6(b).to_string() + "/" + std::to_string(keep * 8);
}

bool has_wide_tier(std::string_view address) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_v6() && !a.to_v6().is_v4_mapped();
}

void probe_budget::expire(charges& c, clock::time_point now) const {
  while (!c.empty() && c.front().first + window_ <= now) c.pop_front();
}

std::size_t probe_budget::used(std::string_view address, clock::time_point now) {
  auto it = by_address_.find(budget_holder(address, prefix_));
  if (it == by_address_.end()) return 0;
  expire(it->second, now);
  std::size_t sum = 0;
  for (const auto& [at, n] : it->second) sum += n;
  return sum;
}

std::chrono::seconds probe_budget::charge(std::string_view address, std::size_t probes,
                                          clock::time_point now) {
  if (probes > per_hour_) return window_;  // never fits: say "an hour"
  charges& c = by_address_[budget_holder(address, prefix_)];
  expire(c, now);
  std::size_t sum = 0;
  for (const auto& [at, n] : c) sum += n;
  if (sum + probes <= per_hour_) {
    c.emplace_back(now, probes);
    return std::chrono::seconds(0);
  }
  // The oldest charges leave the window first: wait until enough of them have gone.
  std::size_t need = sum + probes - per_hour_;
  std::size_t freed = 0;
  for (const auto& [at, n] : c) {
    freed += n;
    if (freed >= need) {
      auto wait = std::chrono::ceil<std::chrono::seconds>(at + window_ - now);
      return std::max(wait, std::chrono::seconds(1));
    }
  }
  return window_;
}

void probe_budget::refund(std::string_view address, std::size_t probes) {
  auto it = by_address_.find(budget_holder(address, prefix_));
  if (it == by_address_.end()) return;
  // Take back from the newest charges: they are the ones this refund belongs to.
  for (auto c = it->second.rbegin(); c != it->second.rend() && probes > 0; ++c) {
    std::size_t back = std::min(probes, c->second);
    c->second -= back;
    probes -= back;
  }
}

void probe_budget::forget_old(clock::time_point now) {
  for (auto it = by_address_.begin(); it != by_address_.end();) {
    expire(it->second, now);
    it = it->second.empty() ? by_address_.erase(it) : std::next(it);
  }
}

}  // namespace breakwater::scan
