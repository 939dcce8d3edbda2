// The memory budget for kept results ([scan] max_kept_mib): the registry's count of what each
// kept scan holds, the oldest finished forgotten first, running scans never, and new scans
// refused while running ones alone fill it. First on the registry itself, then through the
// service against the fake target.
#include "common/holder.hpp"
#include "scan/admission.hpp"
#include "scan/kept_bytes.hpp"
#include "scan/probe_service.hpp"
#include "scan/registry.hpp"
#include "support/fake_target.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace breakwater::scan {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t mib = std::size_t{1} << 20;

scan_order custom(std::string ports) {
  scan_order o;
  o.kind = scan_kind::custom;
  o.ports = std::move(ports);
  return o;
}

// Ports "1-n".
std::string first_ports(std::size_t n) { return "1-" + std::to_string(n); }

// Ports whose reserved verdicts take about `share` of a MiB.
std::size_t ports_for(double share) {
  return static_cast<std::size_t>(share * static_cast<double>(mib)) / sizeof(probe::port_result);
}

std::shared_ptr<scan_record> record(const std::string& id, const std::string& address,
                                    std::size_t ports) {
  auto plan = plan_of(custom(first_ports(ports)));
  EXPECT_TRUE(plan);
  return new_record(id, {address, 0}, scan_kind::custom, *plan,
                    claim_of(address, false, plan->probes()), 1800s, 0ms);
}

// Ends `r` as the service does: every port decided stealth, then its last events.
void end(registry& reg, scan_record& r) {
  for (std::uint16_t port : r.view.ports.ports()) {
    probe::port_result p;
    p.port = port;
    p.tries = 2;
    r.add_verdict(p);
  }
  r.conclude(probe::scan_result{});
  reg.end_running(r.who.holder);
  reg.recount(r);
}

// Ends `r` with every port refused by a router's ICMP error (its address kept with each):
// verdicts that do not pack small, as a review found (a full range held 16 MB finished).
void end_refused(registry& reg, scan_record& r) {
  for (std::uint16_t port : r.view.ports.ports()) {
    probe::port_result p;
    p.port = port;
    p.state = probe::port_state::closed;
    p.why = probe::reason::icmp_unreachable;
    p.icmp = probe::icmp_info{3, 13, boost::asio::ip::make_address("198.18.9.1")};
    r.add_verdict(p);
  }
  r.conclude(probe::scan_result{});
  reg.end_running(r.who.holder);
  reg.recount(r);
}

// One holder's results that do not pack small may hold an eighth of the budget (its /48 four
// times that): past it, its own oldest go, never another visitor's.
TEST(kept_registry, one_holder_keeps_a_share_of_the_memory_and_pushes_out_no_one_else) {
  registry reg(1000, 1000, 8 * mib);  // a holder's share: 1 MiB
  auto other = record("other", "198.18.0.9", 1000);
  reg.add("other", other);
  end_refused(reg, *other);
  std::vector<std::shared_ptr<scan_record>> mine;
  for (int i = 0; i < 8; ++i) {
    auto r = record("mine" + std::to_string(i), "198.18.0.2", ports_for(0.3));
    reg.add("mine" + std::to_string(i), r);
    end_refused(reg, *r);
    mine.push_back(r);
    EXPECT_LE(reg.holder("198.18.0.2").bytes, mib) << i;
  }
  EXPECT_NE(reg.find("other"), nullptr) << "another visitor's result stays";
  EXPECT_EQ(reg.find("mine0"), nullptr) << "the holder's own oldest went";
  EXPECT_NE(reg.find("mine7"), nullptr);
  // The /64s of one /48 share four holders' worth.
  for (int i = 0; i < 40; ++i) {
    const std::string id = "six" + std::to_string(i);
    auto r = record(id, fmt::format("2001:db8:7:{:x}::1", i), ports_for(0.3));
    reg.add(id, r);
    end_refused(reg, *r);
    EXPECT_LE(reg.holder("2001:db8:7::/48").bytes, 4 * mib) << i;
  }
  EXPECT_NE(reg.find("other"), nullptr);
  EXPECT_LE(reg.bytes(), 8 * mib);
}

// A result larger than the share alone is kept for the visitor who polls for it (found by a
// review: the recount at its end forgot it at once); the next one sends it away.
TEST(kept_registry, a_result_larger_than_the_share_is_kept_until_the_next) {
  registry reg(1000, 1000, 8 * mib);  // a holder's share: 1 MiB
  auto big = record("big", "198.18.0.2", 20000);
  reg.add("big", big);
  end_refused(reg, *big);
  ASSERT_GT(big->counted_bytes, mib);
  EXPECT_NE(reg.find("big"), nullptr);
  auto next = record("next", "198.18.0.2", 100);
  reg.add("next", next);
  end_refused(reg, *next);
  EXPECT_EQ(reg.find("big"), nullptr);
  EXPECT_NE(reg.find("next"), nullptr);
}

TEST(kept_bytes, a_running_scan_counts_the_room_reserved_for_every_port) {
  auto small = record("a", "198.18.0.2", 10);
  auto large = record("b", "198.18.0.2", 1000);
  std::size_t s = estimate_kept_bytes(*small);
  std::size_t l = estimate_kept_bytes(*large);
  EXPECT_GE(l, 1000 * sizeof(probe::port_result));
  EXPECT_LT(l, 1000 * sizeof(probe::port_result) + 4096);  // honest, not padded
  EXPECT_EQ(l - s, 990 * sizeof(probe::port_result));
  // A UDP answer's text past the inline buffer is counted with the verdict.
  probe::port_result p;
  EXPECT_EQ(verdict_heap_bytes(p), 0U);
  p.udp = probe::udp_answer{};
  p.udp->text = std::string(500, 'x');
  EXPECT_GE(verdict_heap_bytes(p), 500U);
}

TEST(kept_registry, the_oldest_finished_go_first_and_running_ones_never) {
  registry reg(1000, 1000, mib);
  std::vector<std::shared_ptr<scan_record>> kept;
  // Ten holders, each scan about a fifth of the budget while it runs and a thirtieth of
  // that once packed: 200 are well past the budget.
  for (int i = 0; i < 200; ++i) {
    std::string address = "198.18.1." + std::to_string(i % 10 + 1);
    auto r = record("s" + std::to_string(i), address, ports_for(0.2));
    ASSERT_TRUE(reg.make_room(estimate_kept_bytes(*r))) << i;
    reg.add(r->view.id, r);
    EXPECT_LE(reg.bytes(), mib) << i;
    end(reg, *r);
    EXPECT_LE(reg.bytes(), mib) << i;
    kept.push_back(r);
  }
  // What is kept is the newest ones, with no gap: the oldest went first.
  std::size_t first_kept = 0;
  while (first_kept < kept.size() && reg.find(kept[first_kept]->view.id) == nullptr) ++first_kept;
  EXPECT_GT(first_kept, 0U);
  for (std::size_t i = first_kept; i < kept.size(); ++i) {
    EXPECT_NE(reg.find(kept[i]->view.id), nullptr) << i;
  }
  // The count is the sum of the kept records' counts.
  std::size_t sum = 0;
  for (std::size_t i = first_kept; i < kept.size(); ++i) sum += kept[i]->counted_bytes;
  EXPECT_EQ(reg.bytes(), sum);

  // Two running scans of 0.45 MiB: every finished one gives way, the running ones stay.
  auto a = record("run-a", "198.18.2.1", ports_for(0.45));
  auto b = record("run-b", "198.18.2.2", ports_for(0.45));
  ASSERT_TRUE(reg.make_room(estimate_kept_bytes(*a)));
  reg.add(a->view.id, a);
  ASSERT_TRUE(reg.make_room(estimate_kept_bytes(*b)));
  reg.add(b->view.id, b);
  EXPECT_LE(reg.bytes(), mib);
  // A third does not fit beside them: no room, and they are still there.
  auto c = record("run-c", "198.18.2.3", ports_for(0.45));
  EXPECT_FALSE(reg.make_room(estimate_kept_bytes(*c)));
  EXPECT_NE(reg.find("run-a"), nullptr);
  EXPECT_NE(reg.find("run-b"), nullptr);
  EXPECT_EQ(reg.size(), 2U);
  // Nor does a scan larger than the whole budget, which must not empty it on its way.
  auto huge = record("huge", "198.18.2.4", ports_for(1.5));
  EXPECT_FALSE(reg.make_room(estimate_kept_bytes(*huge)));
  // Once one ended, the third fits (the ended one goes if it must).
  end(reg, *a);
  EXPECT_TRUE(reg.make_room(estimate_kept_bytes(*c)));
  reg.add(c->view.id, c);
  EXPECT_NE(reg.find("run-b"), nullptr);
  EXPECT_NE(reg.find("run-c"), nullptr);
  EXPECT_LE(reg.bytes(), mib);
}

// One site's /64s must not multiply what it may keep: an IPv6 /48 keeps at most four times
// a holder's share, its oldest finished results first; other holders keep theirs.
TEST(kept_registry, the_64s_of_one_48_keep_four_times_a_holders_results) {
  registry reg(1000, 2, 64 * mib);
  std::vector<std::shared_ptr<scan_record>> site;
  auto other = record("other", "2001:db8:2::1", 10);
  reg.add(other->view.id, other);
  end(reg, *other);
  for (int i = 0; i < 12; ++i) {
    // Six /64s of 2001:db8:1::/48, two results each: every /64 within its own share.
    std::string address = "2001:db8:1:" + std::to_string(i / 2) + "::1";
    auto r = record("s" + std::to_string(i), address, 10);
    reg.add(r->view.id, r);
    end(reg, *r);
    site.push_back(r);
  }
  for (std::size_t i = 0; i < site.size(); ++i) {
    EXPECT_EQ(reg.find(site[i]->view.id) != nullptr, i >= 4) << "the /48 keeps its newest 8: " << i;
  }
  EXPECT_NE(reg.find("other"), nullptr) << "another /48 keeps its own";
  EXPECT_EQ(reg.size(), 9U);
  // Nothing of the forgotten /64s' state is left behind.
  EXPECT_EQ(reg.running_of(common::holder_of("2001:db8:1::1")), 0U);
}

// A holder whose result was forgotten through another list (here by expiry) while it ran a
// scan keeps its own share: the forgotten id left in its list must not cost it another.
TEST(kept_registry, a_result_forgotten_elsewhere_costs_its_holder_nothing_more) {
  registry reg(1000, 2, 64 * mib);
  auto running = record("run", "198.18.3.1", 10);
  reg.add(running->view.id, running);
  auto first = record("a1", "198.18.3.1", 10);
  reg.add(first->view.id, first);
  end(reg, *first);
  // a1 expires while "run" still runs (which keeps the holder and its list).
  reg.sweep(steady::now() + std::chrono::seconds(1801), std::chrono::hours(10));
  ASSERT_EQ(reg.find("a1"), nullptr);
  ASSERT_NE(reg.find("run"), nullptr);
  end(reg, *running);
  auto second = record("a2", "198.18.3.1", 10);
  reg.add(second->view.id, second);
  end(reg, *second);
  EXPECT_NE(reg.find("run"), nullptr) << "the holder holds two: run and a2";
  EXPECT_NE(reg.find("a2"), nullptr);
}

TEST(kept_registry, expiry_and_eviction_give_back_every_byte_counted) {
  registry reg(4, 2, 64 * mib);
  for (int i = 0; i < 12; ++i) {
    auto r = record("e" + std::to_string(i), "198.18.3." + std::to_string(i % 3 + 1), 100);
    ASSERT_TRUE(reg.make_room(estimate_kept_bytes(*r)));
    reg.add(r->view.id, r);
    end(reg, *r);
  }
  EXPECT_LE(reg.size(), 4U);  // max_kept forgot the rest, and their bytes
  EXPECT_GT(reg.bytes(), 0U);
  reg.sweep(steady::now() + 3600s, 20s);
  EXPECT_EQ(reg.size(), 0U);
  EXPECT_EQ(reg.bytes(), 0U);
}

// Through the service.

std::shared_ptr<probe::fake_target> target(probe::duration rtt) {
  probe::fake_target_options o;
  o.rtt = rtt;
  o.icmp_rate_limit = false;
  o.other_ports = probe::fake_port::reset;
  auto t = std::make_shared<probe::fake_target>(o);
  t->set(22, probe::fake_port::open);
  return t;
}

probe_service_options options(probe::duration rtt) {
  probe_service_options o;
  o.backend = target(rtt);
  o.tries = 1;
  o.settings.max_kept_mib = 1;
  o.settings.probes_per_hour = 100'000'000;
  return o;
}

bool wait_ended(probe_service& s, const std::string& id, const std::string& who) {
  for (int i = 0; i < 2000; ++i) {
    auto v = s.find(id, who);
    if (!v) return false;
    if (v->phase != scan_phase::running) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

TEST(kept_memory, many_scans_of_many_holders_stay_within_the_budget) {
  auto o = options(0ms);
  o.settings.scan_rate = o.settings.max_rate = 10'000'000;  // no pacing: the test is memory
  probe_service s(o);
  struct started {
    std::string id, who;
  };
  std::vector<started> all;
  // 0-1055 scans from 20 holders until well past the budget even in compact form.
  for (int i = 0; i < 400; ++i) {
    std::string who = "198.18.4." + std::to_string(i % 20 + 1);
    scan_order service;
    service.kind = scan_kind::service;
    auto id = s.start({who, 0}, service);
    ASSERT_TRUE(id) << i << ": " << id.error().message;
    ASSERT_TRUE(wait_ended(s, *id, who)) << i;
    all.push_back({*id, who});
    ASSERT_LE(s.stats().kept_bytes, mib) << i;
  }
  service_stats st = s.stats();
  EXPECT_GT(st.kept_bytes, 0U);
  EXPECT_LT(st.kept, all.size());
  // The kept ones are the newest, with no gap; the forgotten answer as expired ones do.
  std::size_t first_kept = 0;
  while (!s.find(all[first_kept].id, all[first_kept].who)) ++first_kept;
  EXPECT_GT(first_kept, 0U);
  EXPECT_EQ(all.size() - first_kept, st.kept);
  for (std::size_t i = first_kept; i < all.size(); ++i) {
    EXPECT_TRUE(s.find(all[i].id, all[i].who)) << i;
  }
  auto gone = s.subscribe(all[0].id, all[0].who, 0, [](const scan_event&) {});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().status, 404U);
  EXPECT_EQ(gone.error().code, "not_found");
}

TEST(kept_memory, running_scans_alone_fill_it_and_new_ones_are_told_to_come_back) {
  auto o = options(50ms);
  o.settings.scan_rate = 50;  // slow: the large scans run for the whole test
  o.settings.idle_cancel = 600s;
  probe_service s(o);
  // A few finished results first.
  std::vector<std::string> finished;
  for (int i = 0; i < 3; ++i) {
    std::string who = "198.18.5." + std::to_string(i + 1);
    auto id = s.start({who, 0}, custom("22"));
    ASSERT_TRUE(id);
    ASSERT_TRUE(wait_ended(s, *id, who));
    finished.push_back(*id);
  }
  // Two running scans of 0.45 MiB each take what the finished ones held.
  std::string large = first_ports(ports_for(0.45));
  auto a = s.start({"198.18.6.1", 0}, custom(large));
  auto b = s.start({"198.18.6.2", 0}, custom(large));
  ASSERT_TRUE(a && b);
  EXPECT_LE(s.stats().kept_bytes, mib);
  // A third does not fit beside them: 503 busy, saying why and what to do.
  std::uint64_t refused = s.stats().refused;
  auto c = s.start({"198.18.6.3", 0}, custom(large));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().status, 503U);
  EXPECT_EQ(c.error().code, "busy");
  EXPECT_NE(c.error().message.find("memory"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("try again"), std::string::npos) << c.error().message;
  EXPECT_GT(c.error().retry_after.count(), 0);
  EXPECT_EQ(s.stats().refused, refused + 1);
  // Refused, it took nothing: the holder may start a small scan at once.
  auto small = s.start({"198.18.6.3", 0}, custom("22"));
  ASSERT_TRUE(small) << small.error().message;
  ASSERT_TRUE(wait_ended(s, *small, "198.18.6.3"));
  // The running scans were never forgotten.
  EXPECT_TRUE(s.find(*a, "198.18.6.1"));
  EXPECT_TRUE(s.find(*b, "198.18.6.2"));
  EXPECT_LE(s.stats().kept_bytes, mib);
  // When one ends, the third fits.
  ASSERT_TRUE(s.cancel(*a, "198.18.6.1"));
  for (int i = 0; i < 500 && s.stats().running > 1; ++i) std::this_thread::sleep_for(10ms);
  auto again = s.start({"198.18.6.3", 0}, custom(large));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(s.find(*b, "198.18.6.2"));
  EXPECT_LE(s.stats().kept_bytes, mib);
}

TEST(kept_memory, forgotten_results_give_their_bytes_back) {
  auto o = options(0ms);
  o.settings.keep_results = 1s;
  probe_service s(o);
  auto id = s.start({"198.18.7.1", 0}, custom("1-500"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(wait_ended(s, *id, "198.18.7.1"));
  EXPECT_GT(s.stats().kept_bytes, 0U);
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(s.stats().kept, 0U);
  EXPECT_EQ(s.stats().kept_bytes, 0U);
}

}  // namespace
}  // namespace breakwater::scan
