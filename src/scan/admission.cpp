#include "scan/admission.hpp"

#include "common/holder.hpp"
#include "scan/target_policy.hpp"

#include <fmt/format.h>

#include <utility>

namespace breakwater::scan {
claim claim_of(std::string_view address, bool check, std::size_t probes) {
  claim c;
  c.address = std::string(address);
  if (auto h = common::holders_of(address)) {
    c.holder = std::move(h->holder);
    c.wide = std::move(h->wide);
  } else {
    c.holder = c.address;  // as holder_of() counts text that is no address
  }
  c.check = check;
  c.probes = probes;
  return c;
}

namespace {

// The server is full for now: the same answer, whichever limit is reached.
refusal busy(std::string message, std::chrono::seconds retry_after) {
  return refusal{503, "busy", std::move(message), retry_after};
}

}  // namespace

refusal no_room_for_results() {
  return busy(
      "The server's memory for scan results is taken by scans still running. Please try again "
      "in a minute, or choose fewer ports.",
      std::chrono::seconds(30));
}

admission::admission(const settings& s, bool allow_loopback)
    : max_running_(s.max_running),
      max_running_checks_(s.max_running_checks),
      max_running_per_holder_(s.max_running_per_holder),
      probes_per_hour_(s.probes_per_hour),
      allow_loopback_(allow_loopback),
      budget_(s.probes_per_hour),
      wide_budget_(s.probes_per_hour * common::wide_tier_factor, std::chrono::hours(1),
                   common::wide_v6_prefix) {}

std::optional<refusal> admission::check_target(std::string_view address) const {
  return scan::check_target(address, allow_loopback_);
}

std::optional<refusal> admission::admit(const claim& c, std::size_t holder_running,
                                        steady::time_point now) {
  std::optional<refusal> no = refuse(c, holder_running);
  if (!no) no = charge(c, now);
  if (no) return no;
  ++running_;
  if (c.check) ++running_checks_;
  if (!c.wide.empty()) ++wide_running_[c.wide];
  return std::nullopt;
}

std::optional<refusal> admission::spend(const claim& c, steady::time_point now) {
  if (closed_) return shutting_down();
  return charge(c, now, false);
}

void admission::release(const claim& c, std::size_t unsent) {
  budget_.refund(c.address, unsent);
  if (!c.wide.empty()) wide_budget_.refund(c.address, unsent);
  --running_;
  if (c.check) --running_checks_;
  if (auto w = wide_running_.find(c.wide); w != wide_running_.end() && --w->second == 0) {
    wide_running_.erase(w);
  }
}

void admission::forget_old(steady::time_point now) {
  budget_.forget_old(now);
  wide_budget_.forget_old(now);
}

// Why the claim may not run now: shutting down, its holder (or /48) already runs its share,
// or its pool is full.
std::optional<refusal> admission::refuse(const claim& c, std::size_t holder_running) const {
  if (closed_) return shutting_down();
  auto w = wide_running_.find(c.wide);
  std::size_t ours = w == wide_running_.end() ? 0 : w->second;
  if (holder_running >= max_running_per_holder_ ||
      (!c.wide.empty() && ours >= max_running_per_holder_ * common::wide_tier_factor)) {
    bool mine = holder_running > 0;
    return refusal{429, "scan_running",
                   fmt::format("A scan of {} is already running{}. Wait for it to finish (or "
                               "cancel it), then start the next one.",
                               mine ? c.holder : c.wide, mine ? "" : " from your network"),
                   std::chrono::seconds(5)};
  }
  bool full =
      c.check ? running_checks_ >= max_running_checks_ : running_ - running_checks_ >= max_running_;
  if (full) {
    return busy(
        "The server is running as many scans as it allows right now. Please try again in a few "
        "seconds.",
        std::chrono::seconds(10));
  }
  return std::nullopt;
}

std::optional<refusal> admission::shutting_down() const {
  return refusal{503, "shutting_down", "The server is shutting down; try again in a minute.",
                 std::chrono::seconds(60)};
}

// Charges the probes to the holder (and its /48), or says when they fit.
std::optional<refusal> admission::charge(const claim& c, steady::time_point now, bool scan) {
  auto wait = budget_.charge(c.address, c.probes, now);
  std::size_t limit = probes_per_hour_;
  std::string whose = c.holder;
  if (wait.count() == 0 && !c.wide.empty()) {
    wait = wide_budget_.charge(c.address, c.probes, now);
    if (wait.count() > 0) {
      budget_.refund(c.address, c.probes);
      limit *= common::wide_tier_factor;
      whose = c.wide;
    }
  }
  if (wait.count() == 0) return std::nullopt;
  return refusal{429, "budget",
                 fmt::format("{} has used its probe budget ({} probes an hour); this {} needs "
                             "{}. Try again in {} minutes{}.",
                             whose, limit, scan ? "scan" : "test", c.probes,
                             (wait.count() + 59) / 60, scan ? ", or choose fewer ports" : ""),
                 wait};
}

}  // namespace breakwater::scan
