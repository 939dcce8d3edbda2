// The reach tests' registry and the service's rules for them: who may read and confirm a
// test, once-only confirmation, expiry, the open tests per holder and /48, the bounds, and
// the budget and target policy they share with scans.
#include "scan/reach_registry.hpp"
#include "scan/admission.hpp"
#include "scan/probe_service.hpp"
#include "support/fake_target.hpp"

#include <gtest/gtest.h>
#include <boost/asio/ip/udp.hpp>

#include <array>

namespace breakwater::scan {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view me = "198.18.0.2";
constexpr std::string_view other = "198.18.0.3";

struct registry_test : ::testing::Test {
  reach_limits limits() {
    reach_limits l;
    l.open_for = 60s;
    l.kept_for = 300s;
    l.max_open_per_holder = 2;
    l.max_open = 10;
    l.max_kept = 20;
    return l;
  }

  reach_registry reg{limits()};
  steady::time_point t0 = steady::now();
  int serial = 0;

  // Opens a test of `address` when there is room; its id, or the refusal's code.
  std::string open(std::string_view address, steady::time_point now) {
    claim c = claim_of(address, false, 4);
    if (auto no = reg.room_for(c, now)) return "refused:" + no->code;
    auto r = std::make_unique<reach_record>();
    r->id = "id" + std::to_string(++serial);
    r->token = "token-" + r->id;
    r->nonce = new_reach_nonce();
    r->who = c;
    return reg.add(std::move(r), now).id;
  }

  std::string nonce_of(const std::string& id) { return reg.find(id)->nonce; }
};

TEST_F(registry_test, only_the_holder_of_address_and_token_reads_a_test) {
  std::string id = open(me, t0);
  auto mine = reg.owned(id, "token-" + id, me, t0);
  ASSERT_TRUE(mine);
  EXPECT_EQ((*mine)->view(t0).state, reach_state::sending);
  EXPECT_EQ((*mine)->view(t0).expires_in, 60s);
  // Another address: the same 404 as an id nobody has.
  auto theirs = reg.owned(id, "token-" + id, other, t0);
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().status, 404u);
  auto nobody = reg.owned("no-such-id", "token-" + id, me, t0);
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().message, theirs.error().message);
  auto bad = reg.owned(id, "token-id99", me, t0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 403u);
  EXPECT_EQ(bad.error().code, "bad_token");
  EXPECT_FALSE(reg.owned(id, "", me, t0));
}

TEST_F(registry_test, a_nonce_is_confirmed_once_and_only_the_right_one) {
  std::string id = open(me, t0);
  std::string token = "token-" + id;
  reg.find(id)->first_sent = t0 + 10ms;
  auto wrong = reg.confirm(id, token, me, "00000000000000000000000000000000", t0 + 50ms);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "wrong_nonce");
  EXPECT_EQ(wrong.error().status, 403u);
  EXPECT_FALSE(reg.confirm(id, token, other, nonce_of(id), t0 + 50ms));  // another address
  EXPECT_FALSE(reg.confirm(id, "token-x", me, nonce_of(id), t0 + 50ms));
  auto right = reg.confirm(id, token, me, nonce_of(id), t0 + 72ms);
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_EQ(*right, 62ms);  // from the first send
  EXPECT_EQ(reg.find(id)->state, reach_state::confirmed);
  EXPECT_TRUE(reg.find(id)->stop.stop_requested());  // the sender stops
  auto again = reg.confirm(id, token, me, nonce_of(id), t0 + 80ms);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "already_confirmed");
  EXPECT_EQ(again.error().status, 409u);
  EXPECT_EQ(reg.open_count(), 0u);
}

TEST_F(registry_test, tests_expire_then_are_forgotten) {
  std::string id = open(me, t0);
  reg.sending_done(*reg.find(id));
  EXPECT_EQ(reg.find(id)->state, reach_state::sent);
  auto late = reg.confirm(id, "token-" + id, me, nonce_of(id), t0 + 60s);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "expired");
  EXPECT_EQ(late.error().status, 410u);
  EXPECT_EQ(reg.find(id)->view(t0 + 61s).state, reach_state::expired);
  EXPECT_EQ(reg.find(id)->view(t0 + 61s).expires_in, 0s);
  EXPECT_TRUE(reg.find(id)->stop.stop_requested());
  // The sender's end after expiry leaves it expired.
  reg.sending_done(*reg.find(id));
  EXPECT_EQ(reg.find(id)->state, reach_state::expired);
  reg.sweep(t0 + 299s);
  EXPECT_NE(reg.find(id), nullptr);
  reg.sweep(t0 + 300s);
  EXPECT_EQ(reg.find(id), nullptr);
  EXPECT_EQ(reg.size(), 0u);
}

TEST_F(registry_test, a_holder_has_a_few_open_at_once) {
  std::string a = open(me, t0);
  std::string b = open(me, t0 + 1s);
  EXPECT_EQ(open(me, t0 + 2s), "refused:reach_open");
  claim c = claim_of(me, false, 4);
  auto no = reg.room_for(c, t0 + 2s);
  ASSERT_TRUE(no);
  EXPECT_EQ(no->status, 429u);
  EXPECT_EQ(no->retry_after, 58s);                                // when the oldest expires
  EXPECT_NE(open(other, t0 + 2s).find("id"), std::string::npos);  // others are not held up
  // Confirming one makes room; so does expiry.
  ASSERT_TRUE(reg.confirm(a, "token-" + a, me, nonce_of(a), t0 + 3s));
  EXPECT_EQ(open(me, t0 + 3s).substr(0, 2), "id");
  EXPECT_EQ(open(me, t0 + 4s), "refused:reach_open");
  EXPECT_EQ(open(me, t0 + 61s).substr(0, 2), "id");  // b expired at 61 s
  (void)b;
}

TEST_F(registry_test, an_ipv6_slash_64_is_one_holder_and_its_slash_48_has_four_times_as_many) {
  EXPECT_EQ(open("2001:db8:1:1::1", t0).substr(0, 2), "id");
  EXPECT_EQ(open("2001:db8:1:1::2", t0).substr(0, 2), "id");
  EXPECT_EQ(open("2001:db8:1:1::3", t0), "refused:reach_open");  // the same /64
  // Other /64s of the same /48: 8 open in all (2 x 4), then the /48 is full.
  for (int i = 2; i <= 4; ++i) {
    for (int j = 1; j <= 2; ++j) {
      EXPECT_EQ(open("2001:db8:1:" + std::to_string(i) + "::" + std::to_string(j), t0).substr(0, 2),
                "id");
    }
  }
  auto no = reg.room_for(claim_of("2001:db8:1:5::1", false, 4), t0);
  ASSERT_TRUE(no);
  EXPECT_NE(no->message.find("2001:db8:1::/48"), std::string::npos) << no->message;
  EXPECT_NE(no->message.find("from your network"), std::string::npos) << no->message;
  EXPECT_EQ(open("2001:db8:2::1", t0).substr(0, 2), "id");  // another /48
}

TEST_F(registry_test, the_server_bounds_open_and_kept_tests) {
  // 10 open at most (2 per holder here): the eleventh waits.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(open("198.18.1." + std::to_string(i), t0).substr(0, 2), "id");
  }
  auto no = reg.room_for(claim_of("198.18.2.1", false, 4), t0);
  ASSERT_TRUE(no);
  EXPECT_EQ(no->status, 503u);
  EXPECT_EQ(no->code, "busy");
  // Past max_kept, the oldest closed tests are forgotten first.
  reg.sweep(t0 + 60s);  // all ten expire (kept until 300 s)
  EXPECT_EQ(reg.size(), 10u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(open("198.18.3." + std::to_string(i % 10), t0 + 61s + std::chrono::seconds(i / 10))
                  .substr(0, 2),
              "id")
        << i;
    if (i % 10 == 9) reg.sweep(t0 + 200s);  // let them expire to make room again
  }
  EXPECT_LE(reg.size(), 20u);
  EXPECT_EQ(reg.find("id1"), nullptr);  // the oldest went first
}

TEST_F(registry_test, counts_tests_started_confirmed_and_expired) {
  std::string a = open(me, t0);
  std::string b = open(me, t0);
  EXPECT_EQ(open(me, t0), "refused:reach_open");  // a refusal opens nothing
  EXPECT_EQ(reg.counts().started, 2u);
  ASSERT_TRUE(reg.confirm(a, "token-" + a, me, nonce_of(a), t0 + 1s));
  EXPECT_FALSE(reg.confirm(a, "token-" + a, me, nonce_of(a), t0 + 2s));  // counted once
  reg.sweep(t0 + 60s);                                                   // b expires
  EXPECT_EQ(reg.counts().confirmed, 1u);
  EXPECT_EQ(reg.counts().expired, 1u);
  EXPECT_FALSE(reg.confirm(b, "token-" + b, me, nonce_of(b), t0 + 61s));
  reg.sweep(t0 + 400s);  // forgotten: the counts stay
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_EQ(reg.counts().started, 2u);
  EXPECT_EQ(reg.counts().confirmed, 1u);
  EXPECT_EQ(reg.counts().expired, 1u);
}

// The service: reach tests pay from the same budget as scans, under the same target policy.
probe_service_options service_options(std::size_t probes_per_hour, bool allow_loopback) {
  probe::fake_target_options f;
  f.rtt = 1ms;
  f.icmp_rate_limit = false;
  probe_service_options o;
  o.backend = std::make_shared<probe::fake_target>(f);
  o.tries = 1;
  o.settings.probes_per_hour = probes_per_hour;
  o.allow_loopback = allow_loopback;
  o.reach_sending.udp_schedule = {0ms, 10ms};
  o.reach_sending.udp_tail = 10ms;
  return o;
}

reach_order udp_order(std::uint16_t port) { return {probe::reach_transport::udp, port}; }

TEST(reach_service, spends_the_scan_budget_and_refuses_when_it_is_used_up) {
  probe_service svc(service_options(5, true));
  visitor who{"127.0.0.1", 0};
  boost::asio::io_context io;
  boost::asio::ip::udp::socket sink(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::uint16_t port = sink.local_endpoint().port();
  auto first = svc.open_reach(who, udp_order(port));  // 2 datagrams: 2 of 5 probes
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->address, "127.0.0.1");
  EXPECT_EQ(first->id.size(), 22u);
  EXPECT_EQ(first->token.size(), 22u);
  EXPECT_NE(first->id, first->token);
  ASSERT_TRUE(svc.open_reach(who, udp_order(port)));  // 4 of 5
  auto third = svc.open_reach(who, udp_order(port));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, "budget");
  EXPECT_EQ(third.error().status, 429u);
  EXPECT_GT(third.error().retry_after, 0s);
  EXPECT_NE(third.error().message.find("this test needs 2"), std::string::npos)
      << third.error().message;
  service_stats st = svc.stats();  // for /metrics
  EXPECT_EQ(st.reach_started, 2u);
  EXPECT_EQ(st.reach_open, 2u);
  EXPECT_EQ(st.reach_kept, 2u);
  EXPECT_EQ(st.reach_refused, 1u);
  EXPECT_EQ(st.refused, 0u);  // a refused reach test is not a refused scan
  // And scans find the budget spent too: one probe is left, a two-port scan does not fit.
  scan_order two;
  two.kind = scan_kind::custom;
  two.ports = "22,23";
  auto scan = svc.start(who, two);
  ASSERT_FALSE(scan);
  EXPECT_EQ(scan.error().code, "budget");
}

TEST(reach_service, the_target_policy_of_scans_applies) {
  probe_service svc(service_options(1000, false));
  auto loop = svc.open_reach({"127.0.0.1", 0}, udp_order(9));
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().code, "target_not_allowed");
  auto multicast = svc.open_reach({"224.0.0.1", 0}, udp_order(9));
  ASSERT_FALSE(multicast);
  EXPECT_EQ(multicast.error().code, "target_not_allowed");
  auto zero = svc.open_reach({"198.18.0.2", 0}, udp_order(0));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, "bad_port");
  EXPECT_EQ(svc.stats().reach_refused, 0u);  // refused by a limit only, as scans are
}

TEST(reach_service, the_nonce_travels_only_in_the_packets) {
  probe_service svc(service_options(1000, true));
  boost::asio::io_context io;
  boost::asio::ip::udp::socket sink(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  visitor who{"127.0.0.1", 0};
  auto t = svc.open_reach(who, udp_order(sink.local_endpoint().port()));
  ASSERT_TRUE(t);
  std::array<char, 256> buf{};
  std::size_t n = sink.receive(boost::asio::buffer(buf));
  std::string text(buf.data(), n);
  auto nonce = probe::find_reach_nonce(text, t->id);
  ASSERT_TRUE(nonce) << text;
  auto view = svc.find_reach(t->id, t->token, who.address);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->address, "127.0.0.1");
  auto done = svc.confirm_reach(t->id, t->token, who.address, *nonce);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_GE(done->rtt_ms, 0.0);
  auto after = svc.find_reach(t->id, t->token, who.address);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, reach_state::confirmed);
  ASSERT_TRUE(after->rtt_ms);
  service_stats st = svc.stats();
  EXPECT_EQ(st.reach_confirmed, 1u);
  EXPECT_EQ(st.reach_open, 0u);
  EXPECT_EQ(st.reach_kept, 1u);
}

}  // namespace
}  // namespace breakwater::scan
