// The scan's side of the ICMP re-check (see icmp_recheck.hpp): what it hands the re-check
// (the ports left undecided, the witness, the moments the target's limit was empty) and what
// the re-check asks of it as its recheck_host (a try sent, tries back, a stealth verdict).
#include "probe/detail/scan_run.hpp"

#include <algorithm>
#include <map>

namespace breakwater::probe {

namespace asio = boost::asio;
using asio::awaitable;

void scan_run::send(std::size_t idx) { launch(idx, rtt_.timeout_for_try(2), phase::recheck); }

awaitable<void> scan_run::wait_all_back() {
  while (in_flight_ > 0) co_await wait_wake();
}

void scan_run::stealth(std::size_t idx, recheck how) {
  decide(idx, port_state::stealth, reason::no_response, std::nullopt, std::nullopt, how);
}

awaitable<void> scan_run::recheck_pass() {
  std::vector<undecided_port> ports;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& silent = records_[i].silent_at;
    if (!records_[i].decided) ports.push_back({i, {silent.data(), silent.size()}});
  }
  // Loss seen by the re-check raises the tries as loss seen by the main pass does.
  unsigned on_loss = req_.options.tries > 1 ? req_.options.tries + 1 : tries_;
  // The share of answering ports whose answer needed a retry: a try's chance of losing its
  // answer (a prior of one lost in two keeps it high while few ports answered).
  double loss = (static_cast<double>(answered_late_) + 1) / (static_cast<double>(answered_) + 2);
  recheck_options o{.needed = tries_,
                    .budget = req_.options.recheck_budget,
                    .needed_on_loss = on_loss,
                    .loss = loss};
  o.witness = witness();
  // Ports that answered a later try with an error: their silent tries while the model held
  // less than a token, however they were reordered, found the target's limit empty
  // (recheck_options::drained; found_limit_empty).
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& v = verdicts_[i];
    if (!v || v->why != reason::icmp_unreachable) continue;
    for (time_point t : records_[i].silent_at) {
      if (found_limit_empty(icmp_, t)) o.drained.push_back(t);
    }
  }
  // Late answers go to the re-check from here on: it holds the silences they undo (it takes
  // its suspects before its first wait, before any late answer can come).
  rechecking_ = true;
  co_await recheck_.run(std::move(ports), o);
}

// The witness tests the limit that hides the suspects' errors, so it must be refused by the
// sender of those errors: the target itself where it refused any port (a router's refusals
// spend the router's own limit). Where only a router refused (UDP, through a firewall on the
// way), it is the router's limit that hides them: the router that refused the most ports.
std::optional<std::size_t> scan_run::witness() const {
  // Per router: the ports it refused, and the first of them.
  std::map<asio::ip::address, std::pair<std::size_t, std::size_t>> routers;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& v = verdicts_[i];
    if (!v || v->why != reason::icmp_unreachable || !v->icmp) continue;
    if (v->icmp->from.is_unspecified()) return i;
    ++routers.try_emplace(v->icmp->from, 0, i).first->second.first;
  }
  auto most = std::max_element(routers.begin(), routers.end(), [](const auto& a, const auto& b) {
    return a.second.first < b.second.first;
  });
  if (most == routers.end()) return std::nullopt;
  return most->second.second;
}

}  // namespace breakwater::probe
