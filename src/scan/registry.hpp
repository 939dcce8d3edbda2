// The scans the service keeps: each record by id, what each holder has, the memory they hold,
// and when results are forgotten (expiry, and the oldest finished first past the kept limits:
// per holder, in all, and the memory budget). Not locked itself: every call is made under
// the service's lock. Asio-free.
#pragma once

#include "scan/scan_record.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace breakwater::scan {

// What one holder has: running scans, open event streams, kept results (oldest first; some
// may have been forgotten already). An IPv6 /48 has one too, for its kept results only.
struct holder_state {
  std::size_t running = 0;
  std::size_t streams = 0;
  std::deque<std::string> kept;
  std::size_t bytes = 0;  // what its kept scans hold (their counted_bytes)
};

// One holder's kept results may hold this share of the memory budget (its /48 four times
// as much): a visitor whose results do not pack small cannot push out everyone else's.
inline constexpr std::size_t holder_bytes_share = 8;

class registry {
 public:
  registry(std::size_t max_kept, std::size_t max_kept_per_holder, std::size_t max_kept_bytes)
      : max_kept_(max_kept),
        max_kept_per_holder_(max_kept_per_holder),
        max_bytes_(max_kept_bytes),
        max_holder_bytes_(max_kept_bytes / holder_bytes_share) {}

  // Forgets the oldest finished, unwatched results until `bytes` more fit in the memory
  // budget; false when they still do not (what is left is running or watched).
  bool make_room(std::size_t bytes);
  // Keeps a new, running scan (counting its memory); then forgets the oldest results past
  // the kept limits.
  void add(const std::string& id, std::shared_ptr<scan_record> r);
  // `r` holds `more` bytes than counted (a UDP answer's text, a list that grew).
  void grew(scan_record& r, std::size_t more);
  // `r` changed (it ended): counts its memory again, then applies the limits.
  void recount(scan_record& r);

  // The scan when it exists, has not expired and belongs to `address`.
  scan_record* visible(std::string_view id, std::string_view address) const;
  // The scan when it is still kept, whoever it belongs to.
  scan_record* find(std::string_view id) const;

  holder_state& holder(const std::string& key) { return holders_[key]; }
  std::size_t running_of(const std::string& holder) const;
  void end_running(const std::string& holder);
  void stream_closed(const std::string& holder);

  // Cancels running scans nobody watched for `idle_cancel`, forgets expired unwatched ones.
  void sweep(steady::time_point now, std::chrono::seconds idle_cancel);
  void stop_all();
  std::size_t size() const noexcept { return scans_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }  // counted for every kept scan

 private:
  bool forget_oldest(std::deque<std::string>& order, std::string_view spared = {});
  using record_map = std::map<std::string, std::shared_ptr<scan_record>, std::less<>>;
  // Erases a record and takes its bytes off the count; returns the next one.
  record_map::iterator forget(record_map::iterator it);
  void drop_holder_if_idle(const std::string& holder);
  void trim_kept(holder_state& h, holder_state* wide);
  void trim_bytes();
  void trim_holders_bytes(const scan_record& r);
  void count_bytes(const scan_record& r, std::size_t n);
  void uncount_bytes(const scan_record& r, std::size_t n);
  void drop_forgotten_ids();

  std::size_t max_kept_;
  std::size_t max_kept_per_holder_;
  std::size_t max_bytes_;
  std::size_t max_holder_bytes_;
  std::size_t bytes_ = 0;  // the sum of the records' counted_bytes
  record_map scans_;
  // By common::holder_of(), and by common::wide_holder_of() for the /48s' kept results.
  std::map<std::string, holder_state, std::less<>> holders_;
  std::deque<std::string> kept_order_;  // every kept scan's id, oldest first (some stale)
};

}  // namespace breakwater::scan
