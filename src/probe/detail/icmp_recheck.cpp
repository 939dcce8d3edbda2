#include "probe/detail/icmp_recheck.hpp"

#include <algorithm>

namespace breakwater::probe {
namespace {

using boost::asio::awaitable;

// A batch is judged clean or not by the errors it drew, whatever its size, so a large first
// batch is safe; it only costs a re-probe when many suspects turn out to be closed.
constexpr std::size_t max_batch = 512;

// Tokens the target must hold for a probe's silence to show that no error was suppressed.
constexpr double clean_tokens = 1.0 + icmp_token_margin;

}  // namespace

void icmp_recheck::on_answer(std::size_t id, bool icmp_error) {
  if (icmp_error) ++batch_icmp_;
  if (auto it = suspects_.find(id); it != suspects_.end()) it->second.answered = true;
}

void icmp_recheck::on_silence(std::size_t id) { batch_silent_.push_back(id); }

unsigned icmp_recheck::clean_silences(std::span<const time_point> silent_at) const {
  unsigned clean = 0;
  for (time_point t : silent_at) {
    if (icmp_.tokens_before(t) >= clean_tokens) ++clean;
  }
  return clean;
}

// Ports whose silences were clean already are stealth at once; the others are the suspects,
// in the order given.
std::deque<std::size_t> icmp_recheck::triage(std::vector<undecided_port> ports,
                                             const recheck_options& o) {
  std::deque<std::size_t> queue;
  for (undecided_port& p : ports) {
    // A target that sent no ICMP error, to this scan or lately to another, is hiding none.
    unsigned clean = icmp_.untouched() ? needed_ : clean_silences(p.silent_at);
    if (clean >= needed_ || o.budget <= duration::zero()) {
      host_.stealth(p.id, recheck::none);
    } else {
      suspects_[p.id] = suspect{clean, false};
      queue.push_back(p.id);
    }
  }
  return queue;
}

// In an optimistic batch each suspect gets as many tries as it still lacks clean silences: a
// batch that stays clean then settles it in one round instead of one round per try. The tries
// go out round by round (every suspect's first, then the seconds), so that the target's few
// tokens draw errors from as many closed suspects as they can, not two from one. A safe batch
// gives each suspect one try, so that a closed one spends one of the target's tokens only.
awaitable<std::size_t> icmp_recheck::send_batch(std::deque<std::size_t>& queue, std::size_t k,
                                                bool one_try) {
  batch_icmp_ = 0;
  batch_silent_.clear();
  std::vector<std::pair<std::size_t, unsigned>> batch;  // suspect, tries
  for (std::size_t i = 0; i < k && !queue.empty(); ++i) {
    std::size_t id = queue.front();
    queue.pop_front();
    unsigned lacking = needed_ - std::min(needed_, suspects_[id].clean_silences);
    batch.emplace_back(id, one_try ? 1u : std::max(1u, lacking));
  }
  // A suspect whose earlier try was answered is decided: it gets no more.
  auto due = [this](unsigned round, std::pair<std::size_t, unsigned> s) {
    return round < s.second && !suspects_[s.first].answered;
  };
  std::size_t sent = 0;
  for (unsigned round = 0; host_.live(); ++round) {
    auto left = static_cast<std::size_t>(
        std::count_if(batch.begin(), batch.end(), [&](const auto& s) { return due(round, s); }));
    if (left == 0) break;
    std::size_t slots = 0;
    for (const auto& s : batch) {
      if (!due(round, s)) continue;
      if (slots == 0 && (slots = co_await host_.wait_send_slots(left)) == 0) break;
      host_.send(s.first);
      --slots;
      --left;
      ++sent;
    }
  }
  co_await host_.wait_all_back();
  co_return sent;
}

// Counts the batch's silences and settles the ports that have enough clean ones; the rest go
// back in the queue. `available` is what the target held when the batch began, `sent` the
// tries the batch sent. Returns whether the batch was clean.
bool icmp_recheck::settle_batch(double available, std::size_t sent,
                                std::deque<std::size_t>& queue) {
  // Clean: the target still had tokens to spare after every error it sent, or held more than
  // the batch could have drawn; either way none of the silent ports in the batch had an error
  // suppressed.
  bool clean = available - static_cast<double>(batch_icmp_) >= clean_tokens ||
               static_cast<double>(sent) <= available - icmp_token_margin;
  std::sort(batch_silent_.begin(), batch_silent_.end());  // a port's tries side by side
  for (auto it = batch_silent_.begin(); it != batch_silent_.end();) {
    auto next = std::upper_bound(it, batch_silent_.end(), *it);
    std::size_t id = *it;
    auto tries = static_cast<unsigned>(next - it);
    it = next;
    suspect& s = suspects_[id];
    if (s.answered) continue;
    if (clean) s.clean_silences += tries;
    if (s.clean_silences >= needed_) {
      host_.stealth(id, recheck::rechecked);
    } else {
      queue.push_back(id);
    }
  }
  return clean;
}

awaitable<void> icmp_recheck::run(std::vector<undecided_port> ports, recheck_options o) {
  needed_ = o.needed;
  std::deque<std::size_t> queue = triage(std::move(ports), o);
  if (queue.empty()) co_return;
  const time_point deadline = clock::now() + o.budget;
  std::size_t k = max_batch;
  while (!queue.empty() && host_.live()) {
    time_point now = clock::now();
    if (now >= deadline) break;
    time_point ready = icmp_.refilled_to(clean_tokens, now);
    if (ready > now) {
      if (ready >= deadline) break;
      co_await host_.sleep_until(ready);
      continue;
    }
    double available = icmp_.tokens_before(now);
    // Tries the target can answer with errors without emptying its bucket (at least one: the
    // wait above saw to it).
    auto safe = static_cast<std::size_t>(std::max(1.0, available - icmp_token_margin));
    bool optimistic = k > safe;
    std::size_t n = std::min(optimistic ? k : safe, queue.size());
    std::size_t sent = co_await send_batch(queue, n, !optimistic);
    bool clean = settle_batch(available, sent, queue);
    // Only an optimistic batch tells how many suspects are silent: a clean one doubles the
    // next, a dirty one halves what was actually sent (so that a short queue shrinks at once).
    // A safe batch says nothing of the kind, and leaves k as it was.
    if (optimistic) k = clean ? std::min(n * 2, max_batch) : std::max<std::size_t>(1, n / 2);
  }
  if (!host_.live()) co_return;
  for (std::size_t id : queue) {
    if (!suspects_[id].answered) host_.stealth(id, recheck::unresolved);
  }
}

}  // namespace breakwater::probe
