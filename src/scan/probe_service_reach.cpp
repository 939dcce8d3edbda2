// The reach tests of the scan service: opened under the same target policy and budgets as
// scans (scan/admission), kept in the reach registry, their packets sent on the service's
// thread by probe::send_reach.
#include "scan/probe_service.hpp"

#include "common/ip.hpp"
#include "scan/service_core.hpp"

namespace breakwater::scan {

void probe_service::core::send_reach(reach_record& r) {
  boost::system::error_code ec;
  auto target = asio::ip::make_address(r.who.address, ec);  // checked by the target policy
  probe::reach_send_request q;
  q.target = common::unmapped(target);
  q.port = r.order.port;
  q.transport = r.order.transport;
  q.message = probe::reach_message(r.id, r.nonce);
  q.options = options.reach_sending;
  q.stop = r.stop.get_token();
  q.on_send = [this, id = r.id] { on_reach_send(id); };
  asio::co_spawn(ioc, probe::send_reach(std::move(q)),
                 [this, id = r.id](std::exception_ptr e, probe::reach_send_result out) {
                   if (e) {
                     out.delivery = probe::reach_delivery::failed;
                     out.detail = "internal error while sending";
                   }
                   on_reach_sent(id, out);
                 });
}

// The round trip of the confirmation is timed from the first packet that carried the nonce.
void probe_service::core::on_reach_send(const std::string& id) {
  std::lock_guard lock(mu);
  reach_record* r = reaches.find(id);
  if (r != nullptr && !r->first_sent) r->first_sent = steady::now();
}

void probe_service::core::on_reach_sent(const std::string& id,
                                        const probe::reach_send_result& result) {
  std::lock_guard lock(mu);
  reach_record* r = reaches.find(id);
  if (r == nullptr) return;  // forgotten meanwhile
  r->attempts = result.attempts;
  r->delivery = result.delivery;
  r->detail = result.detail;
  reaches.sending_done(*r);
}

boost::system::result<reach_ticket, refusal> probe_service::open_reach(const visitor& who,
                                                                       const reach_order& order) {
  if (order.port == 0) return refusal{400, "bad_port", "The port must be 1-65535.", {}};
  if (auto no = core_->gate.check_target(who.address)) return *no;
  auto r = std::make_unique<reach_record>();
  r->id = new_scan_id();
  r->token = new_scan_id();
  r->nonce = new_reach_nonce();
  r->order = order;
  r->who = claim_of(who.address, false, core_->options.reach_sending.cost(order.transport));
  std::lock_guard lock(core_->mu);
  steady::time_point now = steady::now();
  std::optional<refusal> no = core_->reaches.room_for(r->who, now);
  if (!no) no = core_->gate.spend(r->who, now);  // the budget scans are charged to
  if (no) {
    ++core_->counters.reach_refused;
    return *no;
  }
  reach_record& kept = core_->reaches.add(std::move(r), now);
  core_->send_reach(kept);
  return reach_ticket{kept.id, kept.token, kept.who.address, core_->reaches.limits().open_for};
}

boost::system::result<reach_view, refusal> probe_service::find_reach(std::string_view id,
                                                                     std::string_view token,
                                                                     std::string_view address) {
  std::lock_guard lock(core_->mu);
  steady::time_point now = steady::now();
  auto r = core_->reaches.owned(id, token, address, now);
  if (!r) return r.error();
  return (*r)->view(now);
}

boost::system::result<reach_confirmation, refusal> probe_service::confirm_reach(
    std::string_view id, std::string_view token, std::string_view address, std::string_view nonce) {
  std::lock_guard lock(core_->mu);
  auto rtt = core_->reaches.confirm(id, token, address, nonce, steady::now());
  if (!rtt) return rtt.error();
  return reach_confirmation{std::chrono::duration<double, std::milli>(*rtt).count()};
}

}  // namespace breakwater::scan
