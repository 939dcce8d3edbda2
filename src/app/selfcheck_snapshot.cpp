#include "app/selfcheck_snapshot.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

namespace breakwater::app {
namespace {

namespace json = boost::json;

const json::value* member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

bool answered(const json::value* test) {
  if (test == nullptr || !test->is_object()) return false;
  const json::value* a = test->as_object().if_contains("answered");
  return a != nullptr && a->is_bool() && a->as_bool();
}

// Which of ping and UPnP both runs tested.
struct tested_both {
  bool ping = true;
  bool upnp = true;
};

void compare_family(const std::string& family, const family_view& was, const family_view& is,
                    tested_both both, std::vector<change>& out) {
  if (was.address != is.address) out.push_back({family, "address", 0, is.address});
  for (std::uint16_t p : is.open)
    if (!was.open.contains(p)) out.push_back({family, "opened", p, {}});
  for (std::uint16_t p : was.open)
    if (!is.open.contains(p)) out.push_back({family, "closed", p, {}});
  if (both.ping && was.ping_answered != is.ping_answered)
    out.push_back({family, is.ping_answered ? "ping-answers" : "ping-silent", 0, {}});
  if (both.upnp && was.upnp_answered != is.upnp_answered)
    out.push_back({family, is.upnp_answered ? "upnp-answers" : "upnp-silent", 0, {}});
}

}  // namespace

bool change::newly_reachable() const noexcept {
  return what == "opened" || what == "ping-answers" || what == "upnp-answers";
}

std::string change::sentence() const {
  if (what == "opened") return fmt::format("{}: port {} is now reachable (open)", family, port);
  if (what == "closed") return fmt::format("{}: port {} is no longer open", family, port);
  if (what == "ping-answers") return fmt::format("{}: your address now answers ping", family);
  if (what == "ping-silent") return fmt::format("{}: your address no longer answers ping", family);
  if (what == "upnp-answers")
    return fmt::format("{}: your router now answers UPnP (SSDP) from the internet", family);
  if (what == "upnp-silent") return fmt::format("{}: UPnP (SSDP) no longer answers", family);
  return fmt::format("{}: your address changed to {}", family, detail);
}

boost::system::result<family_view, std::string> view_of_scan(const json::value& scan) {
  const json::value* result = member(scan, "result");
  if (result == nullptr || !result->is_object())
    return boost::system::result<family_view, std::string>(boost::system::in_place_error,
                                                           "the server's answer has no result");
  family_view v;
  if (const json::value* t = member(*result, "target"); t != nullptr && t->is_string())
    v.address = std::string(t->as_string());
  if (const json::value* ports = member(*result, "ports"); ports != nullptr && ports->is_array()) {
    for (const json::value& p : ports->as_array()) {
      const json::value* state = member(p, "state");
      const json::value* port = member(p, "port");
      if (state == nullptr || port == nullptr || !port->is_int64()) continue;
      if (state->is_string() && state->as_string() == "open")
        v.open.insert(static_cast<std::uint16_t>(port->as_int64()));
    }
  }
  v.ping_answered = answered(member(*result, "ping"));
  v.upnp_answered = answered(member(*result, "upnp"));
  return v;
}

json::value to_json(const snapshot& s) {
  json::object families;
  for (const auto& [family, v] : s.seen) {
    json::array open;
    for (std::uint16_t p : v.open) open.push_back(p);
    families[family] = {{"address", v.address},
                        {"open", std::move(open)},
                        {"ping", v.ping_answered},
                        {"upnp", v.upnp_answered}};
  }
  json::object out{{"server", s.server}, {"ports", s.ports}, {"families", std::move(families)}};
  if (s.ping) out["ping"] = *s.ping;
  if (s.upnp) out["upnp"] = *s.upnp;
  return out;
}

boost::system::result<snapshot, std::string> snapshot_from_json(const json::value& v) {
  snapshot s;
  try {
    s.server = json::value_to<std::string>(v.at("server"));
    s.ports = json::value_to<std::string>(v.at("ports"));
    if (const json::value* p = v.as_object().if_contains("ping")) s.ping = p->as_bool();
    if (const json::value* u = v.as_object().if_contains("upnp")) s.upnp = u->as_bool();
    for (const auto& [family, f] : v.at("families").as_object()) {
      family_view view;
      view.address = json::value_to<std::string>(f.at("address"));
      for (const json::value& p : f.at("open").as_array())
        view.open.insert(static_cast<std::uint16_t>(p.to_number<std::int64_t>()));
      view.ping_answered = f.at("ping").as_bool();
      view.upnp_answered = f.at("upnp").as_bool();
      s.seen[std::string(family)] = std::move(view);
    }
  } catch (const std::exception& e) {
    return boost::system::result<snapshot, std::string>(
        boost::system::in_place_error,
        fmt::format("not a baseline written by selfcheck --save-baseline ({})", e.what()));
  }
  return s;
}

std::string settings_differ(const snapshot& baseline, const std::string& server,
                            const std::string& ports) {
  // A baseline saved with "https://host/" is of the same server as "https://host" (the
  // option drops a trailing slash now; older baselines kept it).
  auto same_server = [](std::string_view a, std::string_view b) {
    while (a.ends_with('/')) a.remove_suffix(1);
    while (b.ends_with('/')) b.remove_suffix(1);
    return a == b;
  };
  if (same_server(baseline.server, server) && baseline.ports == ports) return {};
  return fmt::format(
      "the baseline was taken against {} with --ports {}; this run asks {} with --ports {}",
      baseline.server, baseline.ports, server, ports);
}

namespace {

// A baseline from before the flags were recorded tested what some family answered; of a test
// nothing answered it cannot say whether it ran, so that test is not compared.
bool tested_in(const snapshot& s, const std::optional<bool>& flag, bool family_view::*answered) {
  if (flag) return *flag;
  for (const auto& [family, v] : s.seen) {
    if (v.*answered) return true;
  }
  return false;
}

}  // namespace

comparison compare(const snapshot& before, const snapshot& now) {
  comparison out;
  const bool ping_now = now.ping.value_or(true), upnp_now = now.upnp.value_or(true);
  const tested_both both{ping_now && tested_in(before, before.ping, &family_view::ping_answered),
                         upnp_now && tested_in(before, before.upnp, &family_view::upnp_answered)};
  for (const auto& [family, is] : now.seen) {
    auto was = before.seen.find(family);
    if (was == before.seen.end()) {
      // Never seen before (the provider turned IPv6 on, say): what it exposes is news, which
      // the alarm is for; its address and its silence are not.
      out.not_in_baseline.push_back(family);
      std::vector<change> all;
      compare_family(family, family_view{is.address, {}, false, false}, is, {ping_now, upnp_now},
                     all);
      for (change& c : all)
        if (c.newly_reachable()) out.changes.push_back(std::move(c));
      continue;
    }
    out.compared.push_back(family);
    compare_family(family, was->second, is, both, out.changes);
  }
  for (const auto& [family, was] : before.seen)
    if (!now.seen.contains(family)) out.not_tested.push_back(family);
  return out;
}

snapshot baseline_after(const snapshot& before, snapshot now) {
  const bool keep_ping = !now.ping.value_or(true) && before.ping.value_or(false);
  const bool keep_upnp = !now.upnp.value_or(true) && before.upnp.value_or(false);
  for (auto& [family, is] : now.seen) {
    auto was = before.seen.find(family);
    if (was == before.seen.end()) continue;
    if (keep_ping) is.ping_answered = was->second.ping_answered;
    if (keep_upnp) is.upnp_answered = was->second.upnp_answered;
  }
  if (keep_ping) now.ping = true;
  if (keep_upnp) now.upnp = true;
  for (const auto& [family, was] : before.seen) now.seen.try_emplace(family, was);
  return now;
}

}  // namespace breakwater::app
