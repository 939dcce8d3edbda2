#include "scan/scan_events.hpp"
#include "common/json_text.hpp"

#include "probe/result_json.hpp"

#include <cmath>

namespace breakwater::scan {

std::string verdict_event_data(const probe::port_result& p, bool v6) {
  return common::json_text(probe::port_to_json(p, v6));
}

std::string ping_event_data(const probe::ping_result& p) {
  return common::json_text(probe::ping_to_json(p));
}

std::string upnp_event_data(const probe::upnp_result& u) {
  return common::json_text(probe::upnp_to_json(u));
}

std::string done_event_data(scan_phase phase, const probe::scan_result& r,
                            const std::string& error) {
  auto s = r.summary();
  boost::json::object o{
      {"phase", to_string(phase)},
      {"summary", {{"open", s.open}, {"closed", s.closed}, {"stealth", s.stealth}}},
      {"elapsed_ms", std::llround(std::chrono::duration<double, std::milli>(r.elapsed).count())}};
  if (!r.udp.empty()) {
    auto u = r.udp_summary();
    o["udp_summary"] = {
        {"open", u.open}, {"closed", u.closed}, {"stealth", u.stealth}, {"filtered", u.filtered}};
  }
  if (error.empty()) {
    o["error"] = nullptr;
  } else {
    o["error"] = error;
  }
  return common::json_text(o);
}

}  // namespace breakwater::scan
