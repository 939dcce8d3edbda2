// The reach tests the service keeps: each by id, with its secret nonce and token, the rules
// of who may read and confirm it, how many one holder may have open, and when tests expire
// and are forgotten. Not locked itself: every call is made under the service's lock.
// Asio-free; the clock is passed in, so tests move time by hand.
#pragma once

#include "scan/reach.hpp"
#include "scan/scan_record.hpp"
#include "scan/settings.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

namespace breakwater::scan {

struct reach_record {
  std::string id, token, nonce;
  claim who;  // the address the packets go to, its holder and /48; probes = the cost
  reach_order order;
  reach_state state = reach_state::sending;
  steady::time_point opened, expires;
  std::optional<steady::time_point> first_sent;
  std::optional<steady::duration> rtt;
  unsigned attempts = 0;
  probe::reach_delivery delivery = probe::reach_delivery::none;
  std::string detail;
  std::stop_source stop;  // stops the sender (confirmed, expired, service stopping)

  bool open() const noexcept { return state == reach_state::sending || state == reach_state::sent; }
  reach_view view(steady::time_point now) const;
};

// What the registry counted since it was made (for /metrics).
struct reach_counts {
  std::uint64_t started = 0;    // tests added
  std::uint64_t confirmed = 0;  // their nonce came back in time
  std::uint64_t expired = 0;    // closed unconfirmed when their time ran out
};

class reach_registry {
 public:
  explicit reach_registry(reach_limits limits);

  const reach_limits& limits() const noexcept { return limits_; }

  // Why a new test of `who` may not be opened now (the holder's or its /48's open tests, the
  // server's), or nothing. Expired tests are closed first.
  std::optional<refusal> room_for(const claim& who, steady::time_point now);

  // Keeps a new test (after room_for said yes): fills in its times and returns it.
  reach_record& add(std::unique_ptr<reach_record> r, steady::time_point now);

  // The test with this id, when it is kept, whoever asks (the sender's callbacks).
  reach_record* find(std::string_view id) const;

  // The test for its owner: 404 for an unknown id or another address (the same answer, so an
  // id tells nobody else anything), 403 for a token that does not match.
  boost::system::result<reach_record*, refusal> owned(std::string_view id, std::string_view token,
                                                      std::string_view address,
                                                      steady::time_point now);

  // owned(), then the nonce: the round trip from the first send, once per test.
  boost::system::result<steady::duration, refusal> confirm(std::string_view id,
                                                           std::string_view token,
                                                           std::string_view address,
                                                           std::string_view nonce,
                                                           steady::time_point now);

  // Sending ended: `sending` becomes `sent` (a confirmed or expired test stays as it is).
  void sending_done(reach_record& r);

  // Closes tests past their time (stopping their senders) and forgets old ones.
  void sweep(steady::time_point now);
  // Stops every sender (the service is stopping).
  void stop_all();

  std::size_t size() const noexcept { return tests_.size(); }
  std::size_t open_count() const noexcept { return open_; }
  const reach_counts& counts() const noexcept { return counts_; }

 private:
  void close(reach_record& r, reach_state to);
  bool forget_oldest_closed();

  reach_limits limits_;
  std::map<std::string, std::unique_ptr<reach_record>, std::less<>> tests_;
  std::deque<std::string> order_;  // ids, oldest first (some already forgotten)
  std::map<std::string, std::size_t, std::less<>> open_by_holder_;  // holders and /48s
  std::size_t open_ = 0;
  reach_counts counts_;
};

// 128 random bits from OpenSSL as 32 lowercase hex digits: a reach test's nonce.
std::string new_reach_nonce();

}  // namespace breakwater::scan
