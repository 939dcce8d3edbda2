#include "scan/reach_registry.hpp"

#include "common/holder.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>

namespace breakwater::scan {
namespace {

// Secrets are compared in constant time: how long a refusal takes tells nothing about them.
bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::chrono::seconds seconds_until(steady::time_point t, steady::time_point now) {
  if (t <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(t - now);
}

refusal not_found() {
  return {404,
          "not_found",
          "No reach test with this id is here for your address: it was forgotten, it was "
          "opened from another address, or it was lost when its server stopped. Start a new "
          "test.",
          {}};
}

}  // namespace

reach_view reach_record::view(steady::time_point now) const {
  reach_view v;
  v.id = id;
  v.order = order;
  v.address = who.address;
  v.state = state;
  v.attempts = attempts;
  v.delivery = delivery;
  v.detail = detail;
  if (rtt) v.rtt_ms = std::chrono::duration<double, std::milli>(*rtt).count();
  if (open()) v.expires_in = seconds_until(expires, now);
  return v;
}

reach_registry::reach_registry(reach_limits limits) : limits_(limits) {
  limits_.max_kept = std::max<std::size_t>(limits_.max_kept, 1);
  limits_.max_open = std::clamp<std::size_t>(limits_.max_open, 1, limits_.max_kept);
  limits_.kept_for = std::max(limits_.kept_for, limits_.open_for);
}

std::optional<refusal> reach_registry::room_for(const claim& who, steady::time_point now) {
  sweep(now);
  auto count = [this](const std::string& key) {
    auto it = open_by_holder_.find(key);
    return it == open_by_holder_.end() ? std::size_t{0} : it->second;
  };
  bool mine_full = count(who.holder) >= limits_.max_open_per_holder;
  bool wide_full = !who.wide.empty() &&
                   count(who.wide) >= limits_.max_open_per_holder * common::wide_tier_factor;
  if (mine_full || wide_full) {
    // The oldest of those open tests expires first: then there is room again.
    steady::time_point first = now + limits_.open_for;
    for (const auto& [id, r] : tests_) {
      bool counted = mine_full ? r->who.holder == who.holder : r->who.wide == who.wide;
      if (r->open() && counted) first = std::min(first, r->expires);
    }
    return refusal{
        429, "reach_open",
        fmt::format("{} already has {} reach tests open{}. Confirm them, or wait "
                    "until they expire ({} s after they started), then try again.",
                    mine_full ? who.holder : who.wide, count(mine_full ? who.holder : who.wide),
                    mine_full ? "" : " from your network", limits_.open_for.count()),
        std::max(seconds_until(first, now), std::chrono::seconds(1))};
  }
  if (open_ >= limits_.max_open) {
    return refusal{503, "busy",
                   "The server has as many reach tests open as it allows right now. Please try "
                   "again in a minute.",
                   std::chrono::seconds(30)};
  }
  return std::nullopt;
}

reach_record& reach_registry::add(std::unique_ptr<reach_record> r, steady::time_point now) {
  while (tests_.size() >= limits_.max_kept && forget_oldest_closed()) {
  }
  r->opened = now;
  r->expires = now + limits_.open_for;
  r->state = reach_state::sending;
  ++open_;
  ++counts_.started;
  ++open_by_holder_[r->who.holder];
  if (!r->who.wide.empty()) ++open_by_holder_[r->who.wide];
  order_.push_back(r->id);
  auto& kept = tests_[r->id];
  kept = std::move(r);
  return *kept;
}

reach_record* reach_registry::find(std::string_view id) const {
  auto it = tests_.find(id);
  return it == tests_.end() ? nullptr : it->second.get();
}

boost::system::result<reach_record*, refusal> reach_registry::owned(std::string_view id,
                                                                    std::string_view token,
                                                                    std::string_view address,
                                                                    steady::time_point now) {
  reach_record* r = find(id);
  if (r == nullptr || r->who.address != address) return not_found();
  if (!same_secret(r->token, token)) {
    return refusal{403,
                   "bad_token",
                   "The token does not match this reach test: send the token that the POST "
                   "answered, as the header Authorization: Bearer TOKEN.",
                   {}};
  }
  if (r->open() && now >= r->expires) close(*r, reach_state::expired);
  return r;
}

boost::system::result<steady::duration, refusal> reach_registry::confirm(std::string_view id,
                                                                         std::string_view token,
                                                                         std::string_view address,
                                                                         std::string_view nonce,
                                                                         steady::time_point now) {
  auto r = owned(id, token, address, now);
  if (!r) return r.error();
  reach_record& t = **r;
  if (t.state == reach_state::confirmed) {
    return refusal{409,
                   "already_confirmed",
                   "This reach test was confirmed already; a nonce counts once. Start a new "
                   "test to check again.",
                   {}};
  }
  if (t.state == reach_state::expired) {
    return refusal{410,
                   "expired",
                   fmt::format("This reach test expired: its nonce had to come back within {} "
                               "s. Start a new test.",
                               limits_.open_for.count()),
                   {}};
  }
  if (!same_secret(t.nonce, nonce)) {
    return refusal{403,
                   "wrong_nonce",
                   "That is not the nonce this test sent. Send the 32 hex digits that follow "
                   "the id in the line \"breakwater-reach ID NONCE\" that arrived.",
                   {}};
  }
  t.rtt = now - t.first_sent.value_or(t.opened);
  close(t, reach_state::confirmed);
  return *t.rtt;
}

void reach_registry::sending_done(reach_record& r) {
  if (r.state == reach_state::sending) r.state = reach_state::sent;
}

void reach_registry::close(reach_record& r, reach_state to) {
  if (r.open()) {
    --open_;
    if (to == reach_state::confirmed) {
      ++counts_.confirmed;
    } else {
      ++counts_.expired;
    }
    for (const std::string* key : {&r.who.holder, &r.who.wide}) {
      auto it = open_by_holder_.find(*key);
      if (it != open_by_holder_.end() && --it->second == 0) open_by_holder_.erase(it);
    }
  }
  r.state = to;
  r.stop.request_stop();
}

void reach_registry::sweep(steady::time_point now) {
  for (auto it = tests_.begin(); it != tests_.end();) {
    reach_record& r = *it->second;
    if (r.open() && now >= r.expires) close(r, reach_state::expired);
    if (now >= r.opened + limits_.kept_for) {
      it = tests_.erase(it);  // closed above: kept_for is at least open_for
    } else {
      ++it;
    }
  }
  while (!order_.empty() && !tests_.contains(order_.front())) order_.pop_front();
}

bool reach_registry::forget_oldest_closed() {
  for (auto it = order_.begin(); it != order_.end(); ++it) {
    auto t = tests_.find(*it);
    if (t == tests_.end()) continue;
    if (t->second->open()) continue;
    tests_.erase(t);
    order_.erase(it);
    return true;
  }
  return false;
}

void reach_registry::stop_all() {
  for (auto& [id, r] : tests_) r->stop.request_stop();
}

}  // namespace breakwater::scan
