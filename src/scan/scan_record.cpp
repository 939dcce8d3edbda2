#include "scan/scan_record.hpp"

#include "common/ip.hpp"
#include "scan/scan_events.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace breakwater::scan {

scan_event scan_record::event_at(std::size_t index) const {
  if (packed && index < packed->size()) {
    return {index + 1, "verdict", verdict_event_data((*packed)[index], v6)};
  }
  if (index < decided->size()) {
    return {index + 1, "verdict", verdict_event_data((*decided)[index], v6)};
  }
  return tail[index - verdict_count()];
}

verdicts_taken scan_record::take_verdicts() const {
  return {packed ? nullptr : decided, packed, verdict_count()};
}

void scan_record::add_verdict(const probe::port_result& p) {
  if (decided->size() == decided->capacity()) {
    auto bigger = std::make_shared<verdict_list>();
    bigger->reserve(std::max<std::size_t>(16, decided->size() * 2));
    bigger->assign(decided->begin(), decided->end());
    decided = std::move(bigger);
  }
  decided->push_back(p);
}

void scan_record::add_event(std::string name, std::string data) {
  tail.push_back({event_count() + 1, std::move(name), std::move(data)});
}

void scan_record::conclude(probe_outcome out) {
  if (out) {
    view.result = std::move(*out);
    view.phase = view.result.cancelled ? scan_phase::cancelled : scan_phase::done;
    if (view.result.stopped_by) {
      view.error = fmt::format(
          "The scan stopped part-way: {}. The verdicts found before are shown; the other ports "
          "were not decided. Please try again later.",
          view.result.stopped_by->message());
    }
  } else {
    view.phase = scan_phase::failed;
    view.error = fmt::format("The scan could not run: {}", out.error().message());
  }
  if (idle_cancelled)
    view.error = "Cancelled: nobody was watching this scan (the page was closed).";
  // Nothing is added any more: keep the verdicts packed, and their view order for every
  // reader after. Readers that took the list keep it.
  packed = std::make_shared<const compact_verdicts>(*decided, decided->size());
  decided = std::make_shared<verdict_list>();
  order = verdict_order(packed);
  // The events need the whole result; the verdicts are kept once, packed.
  if (view.result.ports.empty() && view.result.udp.empty()) order->put_into(view.result);
  view.decided = view.result.ports.size() + view.result.udp.size();
  if (view.result.ping) add_event("ping", ping_event_data(*view.result.ping));
  if (view.result.upnp) add_event("upnp", upnp_event_data(*view.result.upnp));
  add_event("done", done_event_data(view.phase, view.result, view.error));
  view.result.ports.clear();
  view.result.ports.shrink_to_fit();
  view.result.udp.clear();
  view.result.udp.shrink_to_fit();
}

// A port counts as sent once a try of it left, decided or not: a scan cancelled while its
// silent ports wait out their timeouts was sent every one of them (refunding undecided ports
// let a visitor start, cancel and start again at full rate without ever being charged).
std::size_t scan_record::unsent() const noexcept {
  const std::size_t sent = std::max(view.decided, view.result.ports_tried);
  return view.total_ports() - std::min(view.total_ports(), sent);
}

std::shared_ptr<scan_record> new_record(std::string id, const visitor& who, scan_kind kind,
                                        const scan_plan& plan, claim c, std::chrono::seconds keep,
                                        std::chrono::milliseconds estimate) {
  auto r = std::make_shared<scan_record>();
  auto now = std::chrono::system_clock::now();
  r->view.id = std::move(id);
  r->view.target = who.address;
  r->view.kind = kind;
  r->view.ports = plan.ports;
  r->view.udp_ports = plan.udp_ports;
  r->view.ping = plan.ping;
  r->view.upnp = plan.upnp;
  r->view.started = now;
  r->view.expires = now + keep;
  r->view.estimate = estimate;
  boost::system::error_code ec;
  r->view.result.target = common::unmapped(boost::asio::ip::make_address(who.address, ec));
  r->v6 = r->view.result.target.is_v6();
  r->who = std::move(c);
  r->decided->reserve(plan.ports.size() + plan.udp_ports.size());
  r->last_watched = steady::now();
  r->expires = r->last_watched + keep;
  return r;
}

}  // namespace breakwater::scan
